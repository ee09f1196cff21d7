#pragma once
// Annotating the utterance on screen: its gold (a class, keys 1-9 in the main window, or a score
// for an MSA checkpoint), a note, a "reviewed" flag; every change is an undoable command written
// to the annotations store at once. The history lists the edits; Export writes this dataset's
// edits as CSV or JSON.

#include <QWidget>

#include "studio_session.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QUndoStack;

namespace egmf::ui {

class AnnotationPanel : public QWidget {
    Q_OBJECT
public:
    AnnotationPanel(StudioSession* session, QUndoStack* stack, QWidget* parent = nullptr);
    UtteranceRef utterance() const { return m_ref; }
    /// Sets the gold to the n-th class (0-based) of the checkpoint's (or dataset's) labels.
    void setGoldByIndex(int index);
    void setGoldScore(double score);
    void setNote(const QString& note);
    void setReviewed(bool reviewed);
    QStringList labels() const;

private:
    void setUtterance(UtteranceRef ref);
    void refresh();
    void exportEdits();
    StudioSession* m_session;
    QUndoStack* m_stack;
    UtteranceRef m_ref;
    QLabel *m_title, *m_original;
    QComboBox* m_label;
    QDoubleSpinBox* m_score;
    QLineEdit* m_note;
    QCheckBox* m_reviewed;
};

}  // namespace egmf::ui
