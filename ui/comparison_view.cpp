#include "comparison_view.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "gate_summary_view.h"
#include "label_palette.h"
#include "qcustomplot_include.h"
#include "utterance_table_model.h"

namespace egmf::ui {
namespace {

QString predictionText(const UtteranceResult* r) {
    if (!r) return QObject::tr("analysing...");
    const auto confidence = predictionConfidence(*r);
    return QString::fromStdString(r->prediction) + (confidence ? QStringLiteral(" (%1)").arg(*confidence, 0, 'f', 2) : QString());
}

}  // namespace

ComparisonView::ComparisonView(StudioSession* first, StudioSession* second, QWidget* parent)
    : QWidget(parent), m_first(first), m_second(second) {
    auto* layout = new QVBoxLayout(this);
    m_title = new QLabel;
    layout->addWidget(m_title);
    auto* split = new QSplitter(Qt::Horizontal);
    m_table = new QTableWidget(0, 6);
    m_table->setHorizontalHeaderLabels({tr("#"), tr("Text"), tr("Gold"), tr("A"), tr("B"), tr("|\u0394 gates|")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    split->addWidget(m_table);
    m_plot = new QCustomPlot;
    m_plot->setMinimumWidth(260);
    m_plot->plotLayout()->clear();
    auto* top = new QCPAxisRect(m_plot);
    auto* bottom = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, top);
    m_plot->plotLayout()->addElement(1, 0, bottom);
    const QColor colours[2] = {QColor(70, 110, 170), QColor(240, 150, 40)};
    for (int i = 0; i < 2; ++i) {
        auto* group = i == 0 ? new QCPBarsGroup(m_plot) : m_probabilities[0]->barsGroup();
        m_probabilities[i] = new QCPBars(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
        m_probabilities[i]->setBarsGroup(group);
        auto* gatesGroup = i == 0 ? new QCPBarsGroup(m_plot) : m_gates[0]->barsGroup();
        m_gates[i] = new QCPBars(bottom->axis(QCPAxis::atBottom), bottom->axis(QCPAxis::atLeft));
        m_gates[i]->setBarsGroup(gatesGroup);
        for (auto* bars : {m_probabilities[i], m_gates[i]}) {
            bars->setBrush(colours[i]);
            bars->setPen(Qt::NoPen);
            bars->setWidth(0.38);
        }
    }
    top->axis(QCPAxis::atLeft)->setRange(0, 1.05);
    top->axis(QCPAxis::atLeft)->setLabel(tr("probability"));
    bottom->axis(QCPAxis::atLeft)->setRange(0, 1.05);
    bottom->axis(QCPAxis::atLeft)->setLabel(tr("mean gate"));
    auto gateTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int e = 0; e < kExpertCount; ++e) gateTicks->addTick(e, expertName(e));
    bottom->axis(QCPAxis::atBottom)->setTicker(gateTicks);
    bottom->axis(QCPAxis::atBottom)->setRange(-0.6, kExpertCount - 0.4);
    split->addWidget(m_plot);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    for (auto* session : {first, second}) {
        connect(session->analysis(), &AnalysisQueue::dialogueAnalysed, this, [this](int d) {
            if (d == m_dialogue) refreshTable();
        });
        connect(session->model(), &ModelSlot::loaded, this, &ComparisonView::refreshTable);
    }
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row) { Q_EMIT utteranceClicked(row); });
}

void ComparisonView::setDialogue(int dialogue) {
    m_dialogue = dialogue;
    m_utterance = -1;
    refreshTable();
}

void ComparisonView::setUtterance(int utterance) {
    m_utterance = utterance;
    if (utterance >= 0 && utterance < m_table->rowCount()) m_table->selectRow(utterance);
    refreshPlot();
}

void ComparisonView::refreshTable() {
    const auto name = [](StudioSession* s) {
        return s->model()->manifest() ? QFileInfo(s->model()->checkpointPath()).fileName() : QObject::tr("(none)");
    };
    m_title->setText(tr("A: <b>%1</b> &nbsp; vs &nbsp; B: <b>%2</b>").arg(name(m_first), name(m_second)));
    m_disagreements = 0;
    const auto* utterances = m_dialogue >= 0 && m_dialogue < static_cast<int>(m_first->dataset().dialogues.size())
                                 ? &m_first->dataset().dialogues[static_cast<std::size_t>(m_dialogue)].utterances
                                 : nullptr;
    m_table->setRowCount(utterances ? static_cast<int>(utterances->size()) : 0);
    for (int u = 0; u < m_table->rowCount(); ++u) {
        const auto& utterance = (*utterances)[static_cast<std::size_t>(u)];
        const auto* a = m_first->analysis()->result({m_dialogue, u});
        const auto* b = m_second->analysis()->result({m_dialogue, u});
        const bool differ = a && b && a->prediction != b->prediction;
        m_disagreements += differ;
        double gap = std::nan("");
        if (a && b) {
            const auto ga = GateSummaryView::meanGates(*a), gb = GateSummaryView::meanGates(*b);
            gap = 0;
            for (int e = 0; e < kExpertCount; ++e) gap += std::abs(ga[static_cast<std::size_t>(e)] - gb[static_cast<std::size_t>(e)]);
        }
        const QStringList cells = {QString::number(u + 1), QString::fromStdString(utterance.text),
                                   goldText(utterance),    predictionText(a),
                                   predictionText(b),      std::isnan(gap) ? QString() : QString::number(gap, 'f', 3)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (differ && (c == 3 || c == 4)) {
                item->setForeground(QColor(190, 20, 20));
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_table->setItem(u, c, item);
        }
    }
    refreshPlot();
}

void ComparisonView::refreshPlot() {
    const UtteranceRef ref{m_dialogue, m_utterance};
    const UtteranceResult* results[2] = {m_first->analysis()->result(ref), m_second->analysis()->result(ref)};
    auto ticks = QSharedPointer<QCPAxisTickerText>::create();
    int classes = 0;
    for (int i = 0; i < 2; ++i) {
        m_probabilities[i]->data()->clear();
        m_gates[i]->data()->clear();
        const auto* r = results[i];
        if (!r) continue;
        for (std::size_t k = 0; k < r->probabilities.size(); ++k) m_probabilities[i]->addData(static_cast<double>(k), r->probabilities[k]);
        if (i == 0 || classes == 0) {
            for (std::size_t k = 0; k < r->labels.size(); ++k) ticks->addTick(static_cast<double>(k), QString::fromStdString(r->labels[k]));
            classes = std::max(classes, static_cast<int>(r->labels.size()));
        }
        const auto mean = GateSummaryView::meanGates(*r);
        for (int e = 0; e < kExpertCount; ++e) m_gates[i]->addData(e, mean[static_cast<std::size_t>(e)]);
    }
    auto* top = m_probabilities[0]->keyAxis();
    top->setTicker(ticks);
    top->setTickLabelRotation(35);
    top->setRange(-0.6, std::max(1, classes) - 0.4);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double ComparisonView::bar(int checkpoint, bool gates, int index) const {
    const auto data = (gates ? m_gates : m_probabilities)[checkpoint]->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        if (std::lround(it->key) == index) return it->value;
    }
    return std::nan("");
}

}  // namespace egmf::ui
