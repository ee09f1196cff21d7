#pragma once
// Two checkpoints side by side on the dialogue on screen: per utterance the prediction of each
// (with its confidence) and how far their mean gates lie apart, rows where they disagree in red;
// for the utterance on screen, both models' class probabilities (or scores) and mean gates as
// grouped bars. The second checkpoint lives in its own StudioSession (its own engine), which
// analyses only the dialogue on screen.

#include <QWidget>

#include "studio_session.h"

class QCustomPlot;
class QCPBars;
class QLabel;
class QTableWidget;

namespace egmf::ui {

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    ComparisonView(StudioSession* first, StudioSession* second, QWidget* parent = nullptr);
    void setDialogue(int dialogue);
    void setUtterance(int utterance);
    /// Utterances of the dialogue where the two predictions differ (both analysed).
    int disagreements() const { return m_disagreements; }
    QTableWidget* table() const { return m_table; }
    /// Bar heights for tests: checkpoint 0 or 1, series "probability" or "gate", index.
    double bar(int checkpoint, bool gates, int index) const;

Q_SIGNALS:
    void utteranceClicked(int utterance);

private:
    void refreshTable();
    void refreshPlot();
    StudioSession *m_first, *m_second;
    int m_dialogue = -1, m_utterance = -1, m_disagreements = 0;
    QLabel* m_title;
    QTableWidget* m_table;
    QCustomPlot* m_plot;
    QCPBars *m_probabilities[2], *m_gates[2];
};

}  // namespace egmf::ui
