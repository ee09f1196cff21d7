#include "attention_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "current_utterance.h"
#include "plot_export.h"
#include "plot_message.h"
#include "qcustomplot_include.h"

namespace egmf::ui {
namespace {

const Matrix& matrixFor(const UtteranceResult& r, AttentionView::Direction d) {
    return d == AttentionView::Direction::TextToAv ? r.attention.textToAv : r.attention.avToText;
}

}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    m_directionBox = new QComboBox;
    m_directionBox->addItems({tr("text \u2192 audio-visual"), tr("audio-visual \u2192 text")});
    m_headBox = new QComboBox;
    auto* exportButton = new QPushButton(tr("Export..."));
    controls->addWidget(new QLabel(tr("Direction")));
    controls->addWidget(m_directionBox);
    controls->addWidget(new QLabel(tr("Head")));
    controls->addWidget(m_headBox);
    controls->addStretch();
    controls->addWidget(exportButton);
    layout->addLayout(controls);

    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(160);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    m_map->setColorScale(scale);
    m_map->setGradient(QCPColorGradient::gpThermal);
    m_map->setInterpolate(false);
    m_plot->yAxis->setRangeReversed(true);  // first token at the top
    m_plot->xAxis->setLabel(tr("audio | visual positions"));
    const auto line = [this](QColor color, Qt::PenStyle style) {
        auto* item = new QCPItemStraightLine(m_plot);
        item->setPen(QPen(color, 2, style));
        item->setVisible(false);
        return item;
    };
    m_cursorAudio = line(QColor(255, 60, 60), Qt::SolidLine);
    m_cursorVisual = line(QColor(255, 60, 60), Qt::SolidLine);
    m_split = line(QColor(255, 255, 255), Qt::DashLine);
    m_status = new PlotMessage(m_plot);
    layout->addWidget(m_plot, 1);

    connect(m_directionBox, &QComboBox::currentIndexChanged, this,
            [this](int i) { setDirection(i == 0 ? Direction::TextToAv : Direction::AvToText); });
    connect(m_headBox, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0) setHead(i - 1);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] { exportPlotInteractively(m_plot, this, QStringLiteral("attention.png")); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (!m_result) return;
        const double x = m_plot->xAxis->pixelToCoord(event->position().x());
        const auto column = static_cast<std::int64_t>(std::lround(x));
        const auto av = m_result->audioLength + m_result->visualLength;
        if (column < 0 || column >= av) return;
        const auto at = static_cast<std::size_t>(m_result->textLength + column);
        if (at < m_result->positions.size()) Q_EMIT seekRequested(m_result->positions[at].timeSec);
    });
    setResult(nullptr, tr("no utterance"));
}

int AttentionView::heads() const {
    if (!m_result) return 0;
    const auto& m = matrixFor(*m_result, m_direction);
    return m.shape.size() == 3 ? static_cast<int>(m.shape[0]) : 0;
}

void AttentionView::follow(const CurrentUtterance* current) {
    connect(current, &CurrentUtterance::changed, this, [this, current] {
        // A text-only model: say so rather than show plots of what it has not got.
        setResult(current->result(),
                  current->textOnly() ? tr("this model reads text only: it has no audio or video to attend to") : current->status());
    });
}

void AttentionView::setResult(const UtteranceResult* result, const QString& status) {
    if (result) {
        m_result = *result;
    } else {
        m_result.reset();
    }
    m_status->setMessage(status);
    const int count = heads();
    {
        const QSignalBlocker block(m_headBox);
        const int keep = m_head;
        m_headBox->clear();
        m_headBox->addItem(tr("mean over heads"));
        for (int h = 0; h < count; ++h) m_headBox->addItem(tr("head %1").arg(h + 1));
        m_head = keep < count ? keep : -1;
        m_headBox->setCurrentIndex(m_head + 1);
    }
    rebuild();
}

void AttentionView::setDirection(Direction direction) {
    m_direction = direction;
    const QSignalBlocker block(m_directionBox);
    m_directionBox->setCurrentIndex(direction == Direction::TextToAv ? 0 : 1);
    rebuild();
}

void AttentionView::setHead(int head) {
    m_head = head < heads() ? head : -1;
    const QSignalBlocker block(m_headBox);
    m_headBox->setCurrentIndex(m_head + 1);
    rebuild();
}

double AttentionView::expectedValue(const UtteranceResult& r, Direction d, int head, int token, int av) {
    const auto& m = matrixFor(r, d);
    if (m.shape.size() != 3) return 0;
    const auto heads = m.shape[0];
    const auto at = [&](std::int64_t h) {
        // textToAv [H, T_t, T_av]; avToText [H, T_av, T_t]
        const auto index =
            d == Direction::TextToAv ? (h * m.shape[1] + token) * m.shape[2] + av : (h * m.shape[1] + av) * m.shape[2] + token;
        return static_cast<double>(m.values[static_cast<std::size_t>(index)]);
    };
    if (head >= 0) return at(head);
    double sum = 0;
    for (std::int64_t h = 0; h < heads; ++h) sum += at(h);
    return heads ? sum / static_cast<double>(heads) : 0.0;
}

double AttentionView::cellValue(int token, int av) const {
    return m_map->data()->cell(av, token);
}  // equal copies past a single cell

void AttentionView::rebuild() {
    const std::int64_t tokens = m_result ? m_result->textLength : 0;
    const std::int64_t av = m_result ? m_result->audioLength + m_result->visualLength : 0;
    m_cursorAudio->setVisible(false);
    m_cursorVisual->setVisible(false);
    m_split->setVisible(false);
    m_cursorColumn = -1;
    if (!m_result || tokens == 0 || av == 0) {
        m_map->data()->setSize(1, 1);
        m_map->data()->setRange(QCPRange(0, 0), QCPRange(0, 0));
        m_map->data()->fill(0);
        m_map->setVisible(false);
        if (m_result && m_status->message().isEmpty())
            m_status->setMessage(tr("no attention: the utterance has no text or no audio-visual positions"));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_map->setVisible(true);
    m_status->setMessage({});
    // QCPColorMap draws nothing along an axis of one cell (its range would be empty): such an axis
    // gets two equal cells a quarter apart, which draw as one cell from -0.5 to 0.5.
    const auto cells = [](std::int64_t n) { return static_cast<int>(std::max<std::int64_t>(n, 2)); };
    const auto range = [](std::int64_t n) { return n == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, static_cast<double>(n - 1)); };
    m_map->data()->setSize(cells(av), cells(tokens));
    m_map->data()->setRange(range(av), range(tokens));
    for (int t = 0; t < cells(tokens); ++t) {
        for (int a = 0; a < cells(av); ++a) {
            const auto token = std::min<std::int64_t>(t, tokens - 1), column = std::min<std::int64_t>(a, av - 1);
            m_map->data()->setCell(a, t, expectedValue(*m_result, m_direction, m_head, static_cast<int>(token), static_cast<int>(column)));
        }
    }
    m_map->rescaleDataRange(true);
    // Token pieces on the rows ("▁" marks a word start in SentencePiece pieces).
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::int64_t t = 0; t < tokens; ++t) {
        QString piece = t < static_cast<std::int64_t>(m_result->tokenPieces.size())
                            ? QString::fromStdString(m_result->tokenPieces[static_cast<std::size_t>(t)])
                            : QString::number(t);
        ticker->addTick(static_cast<double>(t), piece.replace(QChar(0x2581), QChar(' ')).trimmed());
    }
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.5, static_cast<double>(tokens) - 0.5);
    m_plot->xAxis->setRange(-0.5, static_cast<double>(av) - 0.5);
    if (m_result->audioLength > 0 && m_result->visualLength > 0) {
        const double x = static_cast<double>(m_result->audioLength) - 0.5;
        m_split->point1->setCoords(x, 0);
        m_split->point2->setCoords(x, 1);
        m_split->setVisible(true);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionView::setTime(double t) {
    if (!m_result) return;
    // The column of each modality whose time is the latest at or before t.
    const auto place = [&](QCPItemStraightLine* line, std::int64_t first, std::int64_t count) {
        std::int64_t best = -1;
        for (std::int64_t i = 0; i < count; ++i) {
            const auto& p = m_result->positions[static_cast<std::size_t>(m_result->textLength + first + i)];
            if (p.timeSec <= t + 1e-9) best = first + i;
        }
        line->setVisible(best >= 0);
        if (best >= 0) {
            line->point1->setCoords(static_cast<double>(best), 0);
            line->point2->setCoords(static_cast<double>(best), 1);
        }
        return best;
    };
    if (static_cast<std::int64_t>(m_result->positions.size()) < m_result->textLength + m_result->audioLength + m_result->visualLength)
        return;
    const auto audio = place(m_cursorAudio, 0, m_result->audioLength);
    const auto visual = place(m_cursorVisual, m_result->audioLength, m_result->visualLength);
    const int column = static_cast<int>(std::max(audio, visual));
    if (column == m_cursorColumn) return;
    m_cursorColumn = column;
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace egmf::ui
