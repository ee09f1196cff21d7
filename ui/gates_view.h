#pragma once
// The three experts' gate weights over the utterance's time, live: three lanes (text, audio and
// visual positions, each position at its own time) with one line per expert and alpha dashed,
// and a playhead that follows the player's clock. The gates drawn are g (the softmax the model
// uses) or, on demand, the feature gates g_f or the context gates g_c.

#include <QWidget>
#include <array>
#include <optional>

#include "egmf/analysis.h"

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;

class QComboBox;

namespace egmf::ui {

class CurrentUtterance;
class PlotMessage;

class GatesView : public QWidget {
    Q_OBJECT
public:
    enum class Gates { Combined, Feature, Context };
    explicit GatesView(QWidget* parent = nullptr);

    /// Draws `current`'s result from now on, whenever it changes.
    void follow(const CurrentUtterance* current);
    void setResult(const UtteranceResult* result, double clipDurationSec, const QString& status = {});
    void setGates(Gates gates);
    void setTime(double clipTimeSec);
    double playhead() const { return m_playhead; }

    /// The plotted points of one lane (modality 0-2) and expert (0-2; 3 = alpha), for tests.
    std::vector<std::pair<double, double>> series(int modality, int expert) const;
    /// The matrix behind the current choice (g, g_f or g_c).
    static const Matrix& gateMatrix(const UtteranceResult& result, Gates gates);
    QCustomPlot* plot() const { return m_plot; }

private:
    void rebuild();
    QCustomPlot* m_plot;
    std::array<QCPAxisRect*, kModalityCount> m_lanes{};
    std::array<std::array<QCPGraph*, kExpertCount + 1>, kModalityCount> m_graphs{};
    std::array<QCPItemStraightLine*, kModalityCount> m_playheads{};
    PlotMessage* m_status;
    QComboBox* m_gatesBox;
    std::optional<UtteranceResult> m_result;
    Gates m_gates = Gates::Combined;
    double m_duration = 1.0;
    double m_playhead = 0;
};

}  // namespace egmf::ui
