#pragma once
// The utterance on screen as the model sees it: the class probabilities as bars (or, for an MSA
// checkpoint, the gold and predicted scores on a -3..3 scale), the raw generation and the scored
// prediction; and the ablation switches (drop text, audio or visual, or any expert), which run
// that utterance or the whole dialogue again and draw the ablated model beside the full one, with
// the difference in words.

#include <QWidget>
#include <array>

#include "egmf/analyzer.h"
#include "studio_session.h"

class QCheckBox;
class QCustomPlot;
class QCPBars;
class QCPGraph;
class QLabel;

namespace egmf::ui {

class PredictionPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionPanel(StudioSession* session, QWidget* parent = nullptr);
    /// The switches as options (what "Re-run" submits).
    AnalyzeOptions ablation() const;
    void setAblation(int modalityMask, int expertMask);
    void rerun(bool wholeDialogue);
    /// Bar heights, for tests: the full model's (ablated = false) or the ablation's, per class.
    double bar(bool ablated, int labelIndex) const;
    QString differenceText() const;
    QCustomPlot* plot() const { return m_plot; }

private:
    void refresh();
    StudioSession* m_session;
    UtteranceRef m_ref;
    QLabel *m_summary, *m_difference;
    QCustomPlot* m_plot;
    QCPBars *m_full, *m_ablated;
    QCPGraph *m_goldMark, *m_scoreMark, *m_ablatedMark;
    std::array<QCheckBox*, kModalityCount> m_modalities{};
    std::array<QCheckBox*, kExpertCount> m_experts{};
};

}  // namespace egmf::ui
