#pragma once
// The three experts' gate weights over the utterance's time, live: three lanes (text, audio and
// visual positions, each position at its own time) with one line per expert and alpha dashed,
// and a playhead that follows the player's clock. The gates drawn are g (the softmax the model
// uses) or, on demand, the feature gates g_f or the context gates g_c. A model whose manifest has a
// modality gate (enhancer.modality_gate) gets a lane of its own above them: the weight of text,
// audio and visual for the whole utterance, one level line each.

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
    /// The modality gate's level per modality (0-2), empty when the lane is not shown; for tests.
    std::vector<double> modalityLevels() const;
    bool showsModalityLane() const;
    /// The matrix behind the current choice (g, g_f or g_c).
    static const Matrix& gateMatrix(const UtteranceResult& result, Gates gates);
    QCustomPlot* plot() const { return m_plot; }

private:
    void rebuild();
    void showModalityLane(bool show);
    QCustomPlot* m_plot;
    std::array<QCPAxisRect*, kModalityCount> m_lanes{};
    std::array<std::array<QCPGraph*, kExpertCount + 1>, kModalityCount> m_graphs{};
    std::array<QCPItemStraightLine*, kModalityCount> m_playheads{};
    QCPAxisRect* m_modalityLane;  ///< in the layout only while the result has modality gates
    std::array<QCPGraph*, kModalityCount> m_modalityGraphs{};
    PlotMessage* m_status;
    QComboBox* m_gatesBox;
    std::optional<UtteranceResult> m_result;
    Gates m_gates = Gates::Combined;
    double m_duration = 1.0;
    double m_playhead = 0;
};

}  // namespace egmf::ui
