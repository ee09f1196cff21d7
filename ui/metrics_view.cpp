#include "metrics_view.h"

#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

#include "egmf/app/metrics.h"
#include "qcustomplot_include.h"

namespace egmf::ui {

MetricsView::MetricsView(StudioSession* session, QWidget* parent) : QWidget(parent), m_session(session) {
    auto* layout = new QVBoxLayout(this);
    m_text = new QLabel;
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_text);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(180);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setGradient(QCPColorGradient::gpGrayscale);
    m_map->setInterpolate(false);
    QCPColorGradient blues;
    blues.setColorStopAt(0, QColor(255, 255, 255));
    blues.setColorStopAt(1, QColor(30, 80, 160));
    m_map->setGradient(blues);
    m_scatter = m_plot->addGraph();
    m_scatter->setLineStyle(QCPGraph::lsNone);
    m_scatter->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(70, 110, 170), 5));
    layout->addWidget(m_plot, 1);
    m_throttle.setSingleShot(true);
    m_throttle.setInterval(300);  // results arrive in bursts: recompute once per burst
    connect(&m_throttle, &QTimer::timeout, this, &MetricsView::redraw);
    connect(session->analysis(), &AnalysisQueue::dialogueAnalysed, this, [this](int dialogue) {
        update(dialogue);
        m_throttle.start();
    });
    connect(session->annotations(), &AnnotationSession::goldChanged, this, [this](UtteranceRef ref) {
        update(ref.dialogue);
        m_throttle.start();
    });
    connect(session->model(), &ModelSlot::loaded, this, &MetricsView::recompute);
    connect(session->annotations(), &AnnotationSession::datasetOpened, this, &MetricsView::recompute);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (m_labels.empty() || !m_map->visible()) return;
        const auto predicted = std::lround(m_plot->xAxis->pixelToCoord(event->position().x()));
        const auto gold = std::lround(m_plot->yAxis->pixelToCoord(event->position().y()));
        const auto n = static_cast<long>(m_labels.size());
        if (gold >= 0 && gold < n && predicted >= 0 && predicted < n) {
            Q_EMIT cellClicked(QString::fromStdString(m_labels[static_cast<std::size_t>(gold)]),
                               QString::fromStdString(m_labels[static_cast<std::size_t>(predicted)]));
        }
    });
    recompute();
}

void MetricsView::setSplit(const QString& split) {
    m_split = split;
    recompute();
}

double MetricsView::mapCell(int gold, int predicted) const {
    return m_map->data()->cell(predicted, gold);
}

QString MetricsView::summary() const {
    return m_text->text();
}

void MetricsView::recompute() {
    m_contributions.clear();
    m_pairs.clear();
    m_analysed = 0, m_total = 0;
    const auto& dialogues = m_session->dataset().dialogues;
    for (int d = 0; d < static_cast<int>(dialogues.size()); ++d) {
        if (!m_split.isEmpty() && QString::fromStdString(dialogues[static_cast<std::size_t>(d)].split) != m_split) continue;
        m_total += static_cast<int>(dialogues[static_cast<std::size_t>(d)].utterances.size());
        update(d);
    }
    redraw();
}

void MetricsView::update(int d) {
    const auto& dialogues = m_session->dataset().dialogues;
    if (d < 0 || d >= static_cast<int>(dialogues.size())) return;
    const auto& dialogue = dialogues[static_cast<std::size_t>(d)];
    if (!m_split.isEmpty() && QString::fromStdString(dialogue.split) != m_split) return;
    if (const auto old = m_contributions.find(d); old != m_contributions.end()) {
        for (const auto& pair : old->second.labels) {
            if (--m_pairs[pair] == 0) m_pairs.erase(pair);
        }
        m_analysed -= old->second.analysed;
        m_contributions.erase(old);
    }
    Contribution now;
    for (int u = 0; u < static_cast<int>(dialogue.utterances.size()); ++u) {
        const auto* r = m_session->analysis()->result({d, u});
        if (!r) continue;
        const auto& utterance = dialogue.utterances[static_cast<std::size_t>(u)];
        ++now.analysed;
        if (utterance.goldLabel) now.labels.emplace_back(*utterance.goldLabel, r->prediction);
        if (utterance.goldScore && r->predictedScore) now.scores.emplace_back(*utterance.goldScore, *r->predictedScore);
    }
    if (now.analysed == 0) return;
    for (const auto& pair : now.labels) ++m_pairs[pair];
    m_analysed += now.analysed;
    m_contributions.emplace(d, std::move(now));
}

void MetricsView::redraw() {
    const auto* manifest = m_session->model()->manifest();
    const int analysed = m_analysed, total = m_total;
    const QString scope =
        tr("%1 of %2 utterances analysed%3").arg(analysed).arg(total).arg(m_split.isEmpty() ? QString() : tr(" (%1 split)").arg(m_split));
    m_confusion.clear();
    m_labels.clear();
    m_scatter->data()->clear();
    if (!manifest) {
        m_text->setText(tr("No checkpoint loaded."));
        m_map->setVisible(false);
    } else if (manifest->task == Task::Regression) {
        m_map->setVisible(false);
        // The scatter draws every point, so the points are gathered here; the figures come with them.
        std::vector<double> goldScores, predictedScores;
        for (const auto& [d, c] : m_contributions) {
            for (const auto& [g, p] : c.scores) goldScores.push_back(g), predictedScores.push_back(p);
        }
        if (goldScores.empty()) {
            m_text->setText(scope + tr("<br>No gold scores yet."));
        } else {
            const auto report = eval::regress(goldScores, predictedScores, eval::MsaScale::Mosi);
            const auto opt = [](const std::optional<double>& v) { return v ? QString::number(*v, 'f', 4) : QStringLiteral("n/a"); };
            m_text->setText(scope + tr("<br>MAE <b>%1</b> &nbsp; Pearson <b>%2</b> &nbsp; Acc-2 %3 &nbsp; Acc-7 %4")
                                        .arg(report.mae, 0, 'f', 4)
                                        .arg(opt(report.pearson), opt(report.acc2NonZero), opt(report.acc7)));
            for (std::size_t i = 0; i < goldScores.size(); ++i) m_scatter->addData(goldScores[i], predictedScores[i]);
        }
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        m_plot->xAxis->setRange(-3.2, 3.2);
        m_plot->yAxis->setRange(-3.2, 3.2);
        m_plot->yAxis->setRangeReversed(false);
        m_plot->xAxis->setLabel(tr("gold"));
        m_plot->yAxis->setLabel(tr("predicted"));
    } else {
        m_scatter->data()->clear();
        m_labels = manifest->labels;
        const bool unparsable = std::any_of(m_pairs.begin(), m_pairs.end(), [](const auto& p) { return p.first.second == kUnparsable; });
        if (unparsable) m_labels.push_back(kUnparsable);
        const auto n = static_cast<int>(m_labels.size());
        if (m_pairs.empty()) {
            m_text->setText(scope + tr("<br>No gold labels yet."));
            m_confusion.assign(static_cast<std::size_t>(n), std::vector<std::int64_t>(static_cast<std::size_t>(n), 0));
        } else {
            const auto report = eval::classifyCounts(m_pairs, m_labels);
            m_confusion = report.confusion;
            m_text->setText(scope + tr("<br>Accuracy <b>%1</b> &nbsp; weighted F1 <b>%2</b> &nbsp; macro F1 %3 &nbsp; kappa %4")
                                        .arg(report.accuracy, 0, 'f', 4)
                                        .arg(report.weightedF1, 0, 'f', 4)
                                        .arg(report.macroF1, 0, 'f', 4)
                                        .arg(report.kappa ? QString::number(*report.kappa, 'f', 3) : QStringLiteral("n/a")));
        }
        m_map->setVisible(true);
        m_map->data()->setSize(n, n);
        m_map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
        double most = 1;
        for (int g = 0; g < n; ++g) {
            for (int p = 0; p < n; ++p) {
                const auto count = static_cast<double>(m_confusion[static_cast<std::size_t>(g)][static_cast<std::size_t>(p)]);
                m_map->data()->setCell(p, g, count);
                most = std::max(most, count);
            }
        }
        m_map->setDataRange(QCPRange(0, most));
        m_plot->clearItems();
        for (int g = 0; g < n; ++g) {
            for (int p = 0; p < n; ++p) {
                const auto count = m_confusion[static_cast<std::size_t>(g)][static_cast<std::size_t>(p)];
                if (count == 0) continue;
                auto* label = new QCPItemText(m_plot);
                label->position->setCoords(p, g);
                label->setText(QString::number(count));
                label->setColor(count > most / 2 ? Qt::white : Qt::black);
            }
        }
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int i = 0; i < n; ++i) ticker->addTick(i, QString::fromStdString(m_labels[static_cast<std::size_t>(i)]));
        m_plot->xAxis->setTicker(ticker);
        m_plot->yAxis->setTicker(ticker);
        m_plot->xAxis->setTickLabelRotation(35);
        m_plot->xAxis->setRange(-0.5, n - 0.5);
        m_plot->yAxis->setRange(-0.5, n - 0.5);
        m_plot->yAxis->setRangeReversed(true);
        m_plot->xAxis->setLabel(tr("predicted"));
        m_plot->yAxis->setLabel(tr("gold"));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace egmf::ui
