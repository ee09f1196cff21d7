#pragma once
// The dialogue browser's tree: dataset -> split -> dialogue, each row with its utterance count,
// how many are analysed, and how many predictions are wrong (filled as the analysis proceeds).

#include <QAbstractItemModel>

#include "studio_session.h"

namespace egmf::ui {

class DialogueTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Utterances, Analysed, Wrong, ColumnCount };
    enum Role { DialogueRole = Qt::UserRole + 1 };  ///< the dialogue's index in the dataset, -1 elsewhere

    explicit DialogueTreeModel(StudioSession* session, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The row of a dialogue (column 0), invalid when it is not in the tree.
    QModelIndex indexOfDialogue(int dialogue) const;
    const QStringList& splits() const { return m_splitNames; }

private:
    void rebuild();
    struct Counts {
        int utterances = 0, analysed = 0, wrong = 0;
    };
    Counts dialogueCounts(int dialogue) const;
    Counts splitCounts(int split) const;
    StudioSession* m_session;
    QStringList m_splitNames;
    std::vector<std::vector<int>> m_splitDialogues;
};

}  // namespace egmf::ui
