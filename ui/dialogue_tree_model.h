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
    struct Counts {
        int utterances = 0, analysed = 0, wrong = 0;
        Counts& operator+=(const Counts& o) { return utterances += o.utterances, analysed += o.analysed, wrong += o.wrong, *this; }
        Counts& operator-=(const Counts& o) { return utterances -= o.utterances, analysed -= o.analysed, wrong -= o.wrong, *this; }
    };
    void rebuild();
    /// Counts every dialogue again (a new model: no results).
    void recountAll();
    /// Counts `dialogue` again and moves its split's and the dataset's totals by the difference:
    /// a result costs its own dialogue, not the dataset.
    void recount(int dialogue);
    Counts countDialogue(int dialogue) const;

    StudioSession* m_session;
    QStringList m_splitNames;
    std::vector<std::vector<int>> m_splitDialogues;
    std::vector<std::pair<int, int>> m_place;  ///< per dialogue: split and row (-1: not in the tree)
    std::vector<Counts> m_dialogueCounts, m_splitCounts;
    Counts m_totalCounts;
};

}  // namespace egmf::ui
