#pragma once
// The left panel: search by text, filters (wrong predictions only, gold class, predicted class,
// speaker, confidence at most), and the dataset -> split -> dialogue tree they narrow.

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QTreeView;

namespace egmf::ui {

class StudioSession;
class DialogueTreeModel;
class DialogueFilterModel;

class DialogueBrowser : public QWidget {
    Q_OBJECT
public:
    explicit DialogueBrowser(StudioSession* session, QWidget* parent = nullptr);
    void selectDialogue(int dialogue);
    QLineEdit* searchField() const { return m_search; }
    DialogueFilterModel* filterModel() const { return m_filter; }
    DialogueTreeModel* treeModel() const { return m_tree; }
    QTreeView* view() const { return m_view; }
    /// Filter to utterances with this gold and prediction (the confusion matrix's cells).
    void filterByCell(const QString& gold, const QString& predicted);
    /// Wide enough for a dialogue's name beside its three counts (the dock's width on a first start).
    QSize sizeHint() const override;

Q_SIGNALS:
    void dialogueActivated(int dialogue);

private:
    void fillChoices();
    void applyFilter();
    StudioSession* m_session;
    DialogueTreeModel* m_tree;
    DialogueFilterModel* m_filter;
    QTreeView* m_view;
    QLineEdit* m_search;
    QCheckBox* m_errorsOnly;
    QComboBox *m_gold, *m_predicted, *m_speaker;
    QDoubleSpinBox* m_confidence;
};

}  // namespace egmf::ui
