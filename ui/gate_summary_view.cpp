#include "gate_summary_view.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "label_palette.h"
#include "plot_export.h"
#include "qcustomplot_include.h"

namespace egmf::ui {

GateSummaryView::GateSummaryView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(120);
    QCPBars* below = nullptr;
    for (int e = 0; e < kExpertCount; ++e) {
        auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setName(expertName(e));
        bars->setBrush(expertColor(e));
        bars->setPen(QPen(expertColor(e).darker(130)));
        bars->setWidth(0.7);
        if (below) bars->moveAbove(below);
        below = bars;
        m_bars[static_cast<std::size_t>(e)] = bars;
    }
    m_plot->yAxis->setRange(0, 1);
    m_plot->yAxis->setLabel(tr("mean gate"));
    m_plot->xAxis->setLabel(tr("utterance"));
    // No legend: the colours are the gate lanes' above.
    m_marker = new QCPItemRect(m_plot);
    m_marker->setPen(QPen(QColor(220, 20, 20), 2));
    m_marker->setBrush(Qt::NoBrush);
    m_marker->setVisible(false);
    layout->addWidget(m_plot, 1);
    auto* exportButton = new QPushButton(tr("Export..."));
    auto* row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(exportButton);
    layout->addLayout(row);
    connect(exportButton, &QPushButton::clicked, this,
            [this] { exportPlotInteractively(m_plot, this, QStringLiteral("gates-dialogue.png")); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        const auto u = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(event->position().x()))) - 1;
        if (u >= 0 && u < m_count) Q_EMIT utteranceClicked(u);
    });
}

std::array<double, kExpertCount> GateSummaryView::meanGates(const UtteranceResult& r) {
    std::array<double, kExpertCount> mean{};
    const auto& g = r.gates.gates;
    if (g.shape.size() != 2 || g.shape[0] == 0 || g.shape[1] != kExpertCount) return mean;
    for (std::int64_t i = 0; i < g.shape[0]; ++i) {
        for (int e = 0; e < kExpertCount; ++e)
            mean[static_cast<std::size_t>(e)] += g.values[static_cast<std::size_t>(i * kExpertCount + e)];
    }
    for (auto& m : mean) m /= static_cast<double>(g.shape[0]);
    return mean;
}

void GateSummaryView::setResults(const std::vector<const UtteranceResult*>& results) {
    m_count = static_cast<int>(results.size());
    for (int e = 0; e < kExpertCount; ++e) {
        QVector<double> keys, values;
        for (int u = 0; u < m_count; ++u) {
            if (!results[static_cast<std::size_t>(u)]) continue;
            keys << u + 1;
            values << meanGates(*results[static_cast<std::size_t>(u)])[static_cast<std::size_t>(e)];
        }
        m_bars[static_cast<std::size_t>(e)]->setData(keys, values, true);
    }
    m_plot->xAxis->setRange(0.4, std::max(1, m_count) + 0.6);
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1);
    m_plot->xAxis->setTicker(ticker);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GateSummaryView::setPlaying(int utterance) {
    m_marker->setVisible(utterance >= 0);
    m_marker->topLeft->setCoords(utterance + 1 - 0.45, 1.0);
    m_marker->bottomRight->setCoords(utterance + 1 + 0.45, 0.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double GateSummaryView::barValue(int expert, int utterance) const {
    const auto data = m_bars[static_cast<std::size_t>(expert)]->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        if (std::lround(it->key) == utterance + 1) return it->value;
    }
    return std::nan("");
}

}  // namespace egmf::ui
