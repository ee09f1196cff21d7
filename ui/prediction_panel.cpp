#include "prediction_panel.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "label_palette.h"
#include "qcustomplot_include.h"
#include "utterance_table_model.h"

namespace egmf::ui {

PredictionPanel::PredictionPanel(StudioSession* session, QWidget* parent) : QWidget(parent), m_session(session) {
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(150);
    m_full = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_full->setName(tr("full model"));
    m_full->setBrush(QColor(70, 110, 170));
    m_full->setPen(Qt::NoPen);
    m_ablated = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_ablated->setName(tr("ablated"));
    m_ablated->setBrush(QColor(240, 150, 40));
    m_ablated->setPen(Qt::NoPen);
    auto* group = new QCPBarsGroup(m_plot);
    m_full->setBarsGroup(group);
    m_ablated->setBarsGroup(group);
    m_full->setWidth(0.38);
    m_ablated->setWidth(0.38);
    const auto mark = [this](QCPScatterStyle::ScatterShape shape, QColor color, const QString& name) {
        auto* g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shape, color, color, 12));
        g->setName(name);
        return g;
    };
    m_goldMark = mark(QCPScatterStyle::ssDiamond, Qt::black, tr("gold"));
    m_scoreMark = mark(QCPScatterStyle::ssDisc, QColor(70, 110, 170), tr("full model"));
    m_ablatedMark = mark(QCPScatterStyle::ssDisc, QColor(240, 150, 40), tr("ablated"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 200));
    layout->addWidget(m_plot, 1);

    auto* switches = new QGridLayout;
    switches->addWidget(new QLabel(tr("Drop")), 0, 0);
    for (int m = 0; m < kModalityCount; ++m) {
        m_modalities[static_cast<std::size_t>(m)] = new QCheckBox(modalityName(m));
        switches->addWidget(m_modalities[static_cast<std::size_t>(m)], 0, m + 1);
    }
    for (int e = 0; e < kExpertCount; ++e) {
        m_experts[static_cast<std::size_t>(e)] = new QCheckBox(expertName(e) + tr(" expert"));
        switches->addWidget(m_experts[static_cast<std::size_t>(e)], 1, e + 1);
    }
    layout->addLayout(switches);
    auto* buttons = new QHBoxLayout;
    auto* utterance = new QPushButton(tr("Re-run utterance"));
    auto* dialogue = new QPushButton(tr("Re-run dialogue"));
    utterance->setToolTip(tr("Analyse this utterance again with the switches (Ctrl+R)"));
    buttons->addWidget(utterance);
    buttons->addWidget(dialogue);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_difference = new QLabel;
    m_difference->setWordWrap(true);
    layout->addWidget(m_difference);

    connect(utterance, &QPushButton::clicked, this, [this] { rerun(false); });
    connect(dialogue, &QPushButton::clicked, this, [this] { rerun(true); });
    // It shows the current utterance, and changes only when that does (or something of it arrives).
    connect(session->current(), &CurrentUtterance::changed, this, [this, session] {
        m_ref = session->current()->ref();
        refresh();
    });
    refresh();
}

AnalyzeOptions PredictionPanel::ablation() const {
    AnalyzeOptions options;
    for (int m = 0; m < kModalityCount; ++m)
        options.disabledModalities.set(static_cast<std::size_t>(m), m_modalities[static_cast<std::size_t>(m)]->isChecked());
    for (int e = 0; e < kExpertCount; ++e)
        options.disabledExperts.set(static_cast<std::size_t>(e), m_experts[static_cast<std::size_t>(e)]->isChecked());
    return options;
}

void PredictionPanel::setAblation(int modalityMask, int expertMask) {
    for (int m = 0; m < kModalityCount; ++m) m_modalities[static_cast<std::size_t>(m)]->setChecked(modalityMask & (1 << m));
    for (int e = 0; e < kExpertCount; ++e) m_experts[static_cast<std::size_t>(e)]->setChecked(expertMask & (1 << e));
}

void PredictionPanel::rerun(bool wholeDialogue) {
    if (!m_ref.valid()) return;
    if (!m_session->model()->model()) {
        // Results opened from a bundle (or none yet): re-running needs a model here.
        m_difference->setText(tr("Re-running needs a model: load a checkpoint (File > Open checkpoint)"));
        return;
    }
    m_session->analysis()->runAblation(m_ref, wholeDialogue, ablation());
    m_difference->setText(tr("Running %1...").arg(m_session->analysis()->ablationDescription()));
    refresh();
}

double PredictionPanel::bar(bool ablated, int labelIndex) const {
    const auto data = (ablated ? m_ablated : m_full)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        if (std::lround(it->key) == labelIndex) return it->value;
    }
    return std::nan("");
}

QString PredictionPanel::differenceText() const {
    return m_difference->text();
}

void PredictionPanel::refresh() {
    m_full->data()->clear();
    m_ablated->data()->clear();
    for (auto* g : {m_goldMark, m_scoreMark, m_ablatedMark}) g->data()->clear();
    const auto* u = m_session->annotations()->utterance(m_ref);
    const auto* r = m_session->analysis()->result(m_ref);
    const auto* a = m_session->analysis()->ablationResult(m_ref);
    const bool regression = m_session->model()->isRegression();
    m_full->setVisible(!regression);
    m_ablated->setVisible(!regression && a);
    m_scoreMark->setVisible(regression);
    m_ablatedMark->setVisible(regression && a);
    m_goldMark->setVisible(regression);
    m_full->removeFromLegend();
    m_ablated->removeFromLegend();
    for (auto* g : {m_goldMark, m_scoreMark, m_ablatedMark}) g->removeFromLegend();
    if (!u) {
        m_summary->setText(tr("No utterance on screen."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const auto text = QString::fromStdString(u->text).toHtmlEscaped();
    QString summary = u->speaker.empty()
                          ? text + QStringLiteral("<br>")  // the user's own clips have no speaker
                          : QStringLiteral("<b>%1</b>: %2<br>").arg(QString::fromStdString(u->speaker).toHtmlEscaped(), text);
    summary += tr("Gold: <b>%1</b>").arg(goldText(*u).isEmpty() ? tr("none") : goldText(*u));
    if (!r) {
        summary += tr("<br><i>analysing...</i>");
    } else {
        summary += tr(" &nbsp; Prediction: <b>%1</b> &nbsp; Generated: <tt>%2</tt>")
                       .arg(QString::fromStdString(r->prediction), QString::fromStdString(r->generated).toHtmlEscaped());
        if (!r->scoredPrediction.empty()) summary += tr(" &nbsp; Scored: <b>%1</b>").arg(QString::fromStdString(r->scoredPrediction));
        if (!r->error.empty())
            summary += QStringLiteral("<br><span style='color:#b00'>%1</span>").arg(QString::fromStdString(r->error).toHtmlEscaped());
        for (const auto& warning : r->warnings) {
            summary += QStringLiteral("<br><span style='color:#a60'>%1</span>").arg(QString::fromStdString(warning).toHtmlEscaped());
        }
    }
    m_summary->setText(summary);
    if (regression) {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        m_plot->xAxis->setRange(-3.2, 3.2);
        m_plot->xAxis->setLabel(tr("sentiment score"));
        m_plot->yAxis->setRange(0, 4);
        m_plot->yAxis->setTickLabels(false);
        m_plot->yAxis->setLabel({});
        if (u->goldScore) m_goldMark->addData(*u->goldScore, 3), m_goldMark->addToLegend();
        if (r && r->predictedScore) m_scoreMark->addData(*r->predictedScore, 2), m_scoreMark->addToLegend();
        if (a && a->predictedScore) m_ablatedMark->addData(*a->predictedScore, 1), m_ablatedMark->addToLegend();
    } else {
        const auto labels = r ? r->labels : std::vector<std::string>{};
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (std::size_t i = 0; i < labels.size(); ++i) ticker->addTick(static_cast<double>(i), QString::fromStdString(labels[i]));
        m_plot->xAxis->setTicker(ticker);
        m_plot->xAxis->setTickLabelRotation(labels.size() > 5 ? 35 : 0);
        m_plot->xAxis->setRange(-0.6, std::max<double>(1, static_cast<double>(labels.size())) - 0.4);
        m_plot->xAxis->setLabel({});
        m_plot->yAxis->setRange(0, 1.05);
        m_plot->yAxis->setTickLabels(true);
        m_plot->yAxis->setLabel(tr("probability"));
        if (r) {
            for (std::size_t i = 0; i < r->probabilities.size(); ++i) m_full->addData(static_cast<double>(i), r->probabilities[i]);
            m_full->addToLegend();
        }
        if (a) {
            for (std::size_t i = 0; i < a->probabilities.size(); ++i) m_ablated->addData(static_cast<double>(i), a->probabilities[i]);
            m_ablated->setName(m_session->analysis()->ablationDescription());
            m_ablated->addToLegend();
        }
    }
    // The difference from the full model, in words.
    if (r && a) {
        QString text = tr("%1: prediction %2 \u2192 %3")
                           .arg(m_session->analysis()->ablationDescription(), QString::fromStdString(r->prediction),
                                QString::fromStdString(a->prediction));
        if (!r->probabilities.empty() && r->probabilities.size() == a->probabilities.size()) {
            const auto best =
                static_cast<std::size_t>(std::max_element(r->probabilities.begin(), r->probabilities.end()) - r->probabilities.begin());
            text += tr(" (p(%1) %2 \u2192 %3)")
                        .arg(QString::fromStdString(r->labels[best]))
                        .arg(r->probabilities[best], 0, 'f', 2)
                        .arg(a->probabilities[best], 0, 'f', 2);
        }
        m_difference->setText(text);
    } else if (!m_difference->text().startsWith(tr("Running"))) {
        m_difference->clear();
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace egmf::ui
