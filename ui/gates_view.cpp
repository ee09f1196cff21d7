#include "gates_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "current_utterance.h"
#include "label_palette.h"
#include "plot_export.h"
#include "plot_message.h"
#include "qcustomplot_include.h"

namespace egmf::ui {

GatesView::GatesView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    m_gatesBox = new QComboBox;
    m_gatesBox->addItems({tr("g (softmax of both)"), tr("g_f (feature gates)"), tr("g_c (context gates)")});
    auto* exportButton = new QPushButton(tr("Export..."));
    controls->addWidget(new QLabel(tr("Gates")));
    controls->addWidget(m_gatesBox);
    controls->addStretch();
    controls->addWidget(exportButton);
    layout->addLayout(controls);

    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(200);
    // Three lanes instead of the default axis rect; clear() deletes it with the default legend,
    // so the legend is made anew and placed under the lanes.
    m_plot->plotLayout()->clear();
    m_plot->setAutoAddPlottableToLegend(false);
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(kModalityCount, 0, legend);  // the row under the lanes
    legend->setLayer(QStringLiteral("legend"));
    m_plot->legend = legend;
    auto* group = new QCPMarginGroup(m_plot);
    for (int m = 0; m < kModalityCount; ++m) {
        auto* lane = new QCPAxisRect(m_plot);
        lane->setMarginGroup(QCP::msLeft | QCP::msRight, group);
        lane->axis(QCPAxis::atLeft)->setRange(0, 1.02);
        lane->axis(QCPAxis::atLeft)->setLabel(modalityName(m));
        lane->axis(QCPAxis::atBottom)->setTickLabels(m == kModalityCount - 1);
        if (m == kModalityCount - 1) lane->axis(QCPAxis::atBottom)->setLabel(tr("seconds in the clip"));
        m_plot->plotLayout()->addElement(m, 0, lane);
        m_lanes[static_cast<std::size_t>(m)] = lane;
        for (int e = 0; e <= kExpertCount; ++e) {
            auto* graph = m_plot->addGraph(lane->axis(QCPAxis::atBottom), lane->axis(QCPAxis::atLeft));
            const bool alpha = e == kExpertCount;
            graph->setPen(QPen(alpha ? alphaColor() : expertColor(e), alpha ? 1.5 : 2, alpha ? Qt::DashLine : Qt::SolidLine));
            graph->setName(alpha ? QStringLiteral("alpha") : expertName(e));
            // Text positions are few: show each one as a point.
            if (m == 0) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
            m_graphs[static_cast<std::size_t>(m)][static_cast<std::size_t>(e)] = graph;
            if (m == 0) graph->addToLegend(legend);
        }
        auto* playhead = new QCPItemStraightLine(m_plot);
        playhead->setClipAxisRect(lane);
        playhead->point1->setAxes(lane->axis(QCPAxis::atBottom), lane->axis(QCPAxis::atLeft));
        playhead->point2->setAxes(lane->axis(QCPAxis::atBottom), lane->axis(QCPAxis::atLeft));
        playhead->setPen(QPen(QColor(220, 20, 20), 2));
        m_playheads[static_cast<std::size_t>(m)] = playhead;
    }
    // The modality gate's lane: made once, put into the layout (row 0) only for a model that has one.
    m_modalityLane = new QCPAxisRect(m_plot);
    m_modalityLane->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    m_modalityLane->axis(QCPAxis::atLeft)->setRange(0, 1.02);
    m_modalityLane->axis(QCPAxis::atLeft)->setLabel(tr("modality"));
    m_modalityLane->axis(QCPAxis::atBottom)->setTickLabels(false);
    m_modalityLane->setVisible(false);
    for (int m = 0; m < kModalityCount; ++m) {
        auto* graph = m_plot->addGraph(m_modalityLane->axis(QCPAxis::atBottom), m_modalityLane->axis(QCPAxis::atLeft));
        graph->setPen(QPen(QColor::fromHsv((200 + m * 120) % 360, 160, 200), 3));
        graph->setName(modalityName(m));
        m_modalityGraphs[static_cast<std::size_t>(m)] = graph;
    }
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setWrap(4);
    legend->setBorderPen(Qt::NoPen);
    m_plot->plotLayout()->setRowStretchFactor(kModalityCount, 0.001);
    m_status = new PlotMessage(m_plot);
    layout->addWidget(m_plot, 1);

    connect(m_gatesBox, &QComboBox::currentIndexChanged, this, [this](int i) { setGates(static_cast<Gates>(i)); });
    connect(exportButton, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this, QStringLiteral("gates.png")); });
    setResult(nullptr, 1.0, tr("no utterance"));
}

const Matrix& GatesView::gateMatrix(const UtteranceResult& r, Gates gates) {
    switch (gates) {
        case Gates::Feature:
            return r.gates.featureGates;
        case Gates::Context:
            return r.gates.contextGates;
        default:
            return r.gates.gates;
    }
}

void GatesView::follow(const CurrentUtterance* current) {
    connect(current, &CurrentUtterance::changed, this, [this, current] {
        setResult(current->result(), current->clipDurationSec(),
                  current->textOnly() ? tr("this model reads text only: its gates weigh its experts over the text alone (no audio or "
                                           "video lanes)")
                                      : current->status());
    });
}

void GatesView::setResult(const UtteranceResult* result, double clipDurationSec, const QString& status) {
    if (result) {
        m_result = *result;
    } else {
        m_result.reset();
    }
    m_duration = clipDurationSec > 0 ? clipDurationSec : 1.0;
    m_status->setMessage(status);
    rebuild();
}

void GatesView::setGates(Gates gates) {
    m_gates = gates;
    const QSignalBlocker block(m_gatesBox);
    m_gatesBox->setCurrentIndex(static_cast<int>(gates));
    rebuild();
}

void GatesView::showModalityLane(bool show) {
    if (show == showsModalityLane()) return;
    auto* grid = m_plot->plotLayout();
    if (show) {
        grid->insertRow(0);
        grid->addElement(0, 0, m_modalityLane);
        grid->setRowStretchFactor(0, 0.8);
        for (auto* graph : m_modalityGraphs) graph->addToLegend();
    } else {
        grid->take(m_modalityLane);
        grid->simplify();
        for (auto* graph : m_modalityGraphs) graph->removeFromLegend();
    }
    m_modalityLane->setVisible(show);
}

bool GatesView::showsModalityLane() const {
    return m_modalityLane->layout() != nullptr;
}

std::vector<double> GatesView::modalityLevels() const {
    std::vector<double> levels;
    if (!showsModalityLane()) return levels;
    for (const auto* graph : m_modalityGraphs) levels.push_back(graph->data()->isEmpty() ? 0.0 : graph->data()->constBegin()->value);
    return levels;
}

void GatesView::rebuild() {
    for (auto& lane : m_graphs) {
        for (auto* graph : lane) graph->data()->clear();
    }
    for (auto* graph : m_modalityGraphs) graph->data()->clear();
    const bool modalityGate = m_result && m_result->gates.modalityGates.size() == static_cast<std::size_t>(kModalityCount);
    showModalityLane(modalityGate);
    double end = m_duration;
    if (m_result) {
        const auto& g = gateMatrix(*m_result, m_gates);
        const auto& positions = m_result->positions;
        const bool shaped = g.shape.size() == 2 && g.shape[1] == kExpertCount &&
                            g.shape[0] == static_cast<std::int64_t>(positions.size()) && m_result->gates.alpha.size() == positions.size();
        if (shaped) {
            for (std::size_t i = 0; i < positions.size(); ++i) {
                const auto lane = static_cast<std::size_t>(positions[i].modality);
                const double t = positions[i].timeSec;
                end = std::max(end, t);
                for (int e = 0; e < kExpertCount; ++e)
                    m_graphs[lane][static_cast<std::size_t>(e)]->addData(t, g.values[i * kExpertCount + static_cast<std::size_t>(e)]);
                m_graphs[lane][kExpertCount]->addData(t, m_result->gates.alpha[i]);
            }
        } else if (m_status->message().isEmpty()) {
            m_status->setMessage(tr("no gates in this result"));
        }
    }
    for (auto* lane : m_lanes) lane->axis(QCPAxis::atBottom)->setRange(0, end);
    if (modalityGate) {
        // One level line per modality: the gate weighs a modality for the whole utterance.
        for (int m = 0; m < kModalityCount; ++m) {
            const double level = m_result->gates.modalityGates[static_cast<std::size_t>(m)];
            m_modalityGraphs[static_cast<std::size_t>(m)]->addData(0, level);
            m_modalityGraphs[static_cast<std::size_t>(m)]->addData(end, level);
        }
        m_modalityLane->axis(QCPAxis::atBottom)->setRange(0, end);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GatesView::setTime(double t) {
    m_playhead = t;
    for (auto* playhead : m_playheads) {
        playhead->point1->setCoords(t, 0);
        playhead->point2->setCoords(t, 1);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

std::vector<std::pair<double, double>> GatesView::series(int modality, int expert) const {
    std::vector<std::pair<double, double>> out;
    const auto* graph = m_graphs[static_cast<std::size_t>(modality)][static_cast<std::size_t>(expert)];
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) out.emplace_back(it->key, it->value);
    return out;
}

}  // namespace egmf::ui
