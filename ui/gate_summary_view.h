#pragma once
// The dialogue at a glance: per utterance, the mean gate weight of each expert over all its
// positions, as stacked bars (local, semantic, global sum to 1), with the playing utterance
// marked. Utterances not analysed yet have no bar.

#include <QWidget>
#include <array>
#include <vector>

#include "egmf/analysis.h"

class QCustomPlot;
class QCPBars;
class QCPItemRect;

namespace egmf::ui {

class GateSummaryView : public QWidget {
    Q_OBJECT
public:
    explicit GateSummaryView(QWidget* parent = nullptr);
    /// One entry per utterance; null where there is no result yet.
    void setResults(const std::vector<const UtteranceResult*>& results);
    void setPlaying(int utterance);
    /// Mean of g per expert over a result's positions.
    static std::array<double, kExpertCount> meanGates(const UtteranceResult& result);
    double barValue(int expert, int utterance) const;
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void utteranceClicked(int utterance);

private:
    QCustomPlot* m_plot;
    std::array<QCPBars*, kExpertCount> m_bars{};
    QCPItemRect* m_marker;
    int m_count = 0;
};

}  // namespace egmf::ui
