#include "timeline_strip.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "egmf/playback.h"

namespace egmf::ui {
namespace {

constexpr int kGoldBand = 12, kPredictionBand = 24, kMargin = 4;

std::vector<float> envelopeOf(const std::vector<PlayerClip>& clips) {
    constexpr int kRate = 8000;
    const int samplesPerBin = kRate / TimelineStrip::kBinsPerSecond;
    std::vector<float> envelope;
    for (const auto& clip : clips) {
        const auto bins = static_cast<std::size_t>(std::lround(clip.durationSec * TimelineStrip::kBinsPerSecond));
        std::vector<float> values(bins, 0.0f);
        if (clip.error.isEmpty()) {
            if (auto audio = decodePlaybackAudio(clip.path.toStdString(), kRate)) {
                const auto first = static_cast<std::size_t>(clip.startSec * kRate);
                for (std::size_t s = first; s < audio->samples.size(); ++s) {
                    const auto bin = (s - first) / static_cast<std::size_t>(samplesPerBin);
                    if (bin >= bins) break;
                    values[bin] = std::max(values[bin], std::abs(audio->samples[s]));
                }
            }
        }
        envelope.insert(envelope.end(), values.begin(), values.end());
    }
    return envelope;
}

}  // namespace

TimelineStrip::TimelineStrip(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(64);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMouseTracking(false);
    m_poll.setInterval(50);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (!m_pending.valid() || m_pending.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
        m_envelope = m_pending.get();
        m_poll.stop();
        update();
        Q_EMIT waveformReady();
    });
}

TimelineStrip::~TimelineStrip() {
    if (m_pending.valid()) m_pending.wait();
}

void TimelineStrip::setSegments(std::vector<TimelineSegment> segments) {
    m_segments = std::move(segments);
    update();
}

void TimelineStrip::setPlayhead(double t) {
    if (std::abs(t - m_playhead) * width() < 0.25 * std::max(1e-9, totalSeconds())) return;  // under a pixel
    m_playhead = t;
    update();
}

void TimelineStrip::loadWaveform(const std::vector<PlayerClip>& clips) {
    if (m_pending.valid()) m_pending.wait();
    m_envelope.clear();
    m_pending = std::async(std::launch::async, envelopeOf, clips);
    m_poll.start();
    update();
}

double TimelineStrip::totalSeconds() const {
    return m_segments.empty() ? 0.0 : m_segments.back().startSec + m_segments.back().durationSec;
}

double TimelineStrip::xToTime(int x) const {
    const int span = std::max(1, width() - 2 * kMargin);
    return std::clamp(static_cast<double>(x - kMargin) / span, 0.0, 1.0) * totalSeconds();
}

int TimelineStrip::timeToX(double t) const {
    const double total = totalSeconds();
    return kMargin + (total > 0 ? static_cast<int>(std::lround(t / total * (width() - 2 * kMargin))) : 0);
}

void TimelineStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const int waveTop = kGoldBand + kPredictionBand + 4, waveHeight = height() - waveTop - 2;
    p.fillRect(QRect(kMargin, waveTop, width() - 2 * kMargin, waveHeight), QColor(250, 250, 250));
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
    p.setFont(small);
    for (const auto& s : m_segments) {
        const int x0 = timeToX(s.startSec), x1 = timeToX(s.startSec + s.durationSec);
        const QRect gold(x0 + 1, 0, std::max(1, x1 - x0 - 2), kGoldBand - 2);
        const QRect prediction(x0 + 1, kGoldBand, std::max(1, x1 - x0 - 2), kPredictionBand);
        if (!s.gold.isEmpty()) p.fillRect(gold, s.goldColor);
        if (s.analysed) {
            p.fillRect(prediction, s.predictionColor);
        } else {
            p.fillRect(prediction, QBrush(QColor(200, 200, 200), Qt::BDiagPattern));
        }
        p.setPen(s.analysed && !s.correct ? QPen(QColor(200, 30, 30), 2) : QPen(QColor(90, 90, 90), 1));
        p.drawRect(prediction.adjusted(0, 0, -1, -1));
        p.setPen(Qt::black);
        const auto text = s.analysed ? s.prediction : QStringLiteral("analysing...");
        p.drawText(prediction.adjusted(3, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   p.fontMetrics().elidedText(text, Qt::ElideRight, prediction.width() - 4));
    }
    if (!m_envelope.empty()) {
        const int mid = waveTop + waveHeight / 2;
        p.setPen(QColor(70, 110, 170));
        for (int x = kMargin; x < width() - kMargin; ++x) {
            const auto b0 = static_cast<std::size_t>(xToTime(x) * kBinsPerSecond);
            const auto b1 = std::max(b0 + 1, static_cast<std::size_t>(xToTime(x + 1) * kBinsPerSecond));
            float peak = 0;
            for (auto b = b0; b < b1 && b < m_envelope.size(); ++b) peak = std::max(peak, m_envelope[b]);
            const int half = static_cast<int>(peak * (waveHeight / 2 - 1));
            p.drawLine(x, mid - half, x, mid + half);
        }
    } else if (m_pending.valid()) {
        p.setPen(QColor(130, 130, 130));
        p.drawText(QRect(kMargin, waveTop, width() - 2 * kMargin, waveHeight), Qt::AlignCenter, QStringLiteral("reading the audio..."));
    }
    const int x = timeToX(m_playhead);
    p.setPen(QPen(QColor(220, 20, 20), 2));
    p.drawLine(x, 0, x, height());
}

void TimelineStrip::mousePressEvent(QMouseEvent* event) {
    Q_EMIT seekRequested(xToTime(static_cast<int>(event->position().x())));
}

void TimelineStrip::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) Q_EMIT seekRequested(xToTime(static_cast<int>(event->position().x())));
}

}  // namespace egmf::ui
