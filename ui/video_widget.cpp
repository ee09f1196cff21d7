#include "video_widget.h"

#include <QPainter>
#include <algorithm>

namespace egmf::ui {

VideoWidget::VideoWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 120);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void VideoWidget::setImage(const QImage* image) {
    m_image = image;
    update();
}

void VideoWidget::setMessage(const QString& message) {
    m_message = message;
    update();
}

QRect VideoWidget::pictureRect() const {
    if (!m_image || m_image->isNull()) return {};
    const QSize fitted = m_image->size().scaled(size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
}

void VideoWidget::setSound(const std::vector<float>* envelope, int binsPerSecond, double startSec, double durationSec, double playheadSec) {
    m_envelope = envelope;
    m_binsPerSecond = binsPerSecond;
    m_soundStart = startSec;
    m_soundDuration = durationSec;
    m_playhead = playheadSec;
    update();
}

void VideoWidget::clearSound() {
    if (!m_envelope) return;
    m_envelope = nullptr;
    update();
}

void VideoWidget::paintSound(QPainter& painter) {
    const QRect area = rect().adjusted(16, height() / 4, -16, -height() / 4);
    painter.setPen(QColor(150, 150, 150));
    painter.drawText(rect().adjusted(12, 8, -12, -8), Qt::AlignTop | Qt::AlignLeft, tr("sound only"));
    if (m_envelope->empty() || m_soundDuration <= 0 || area.width() <= 0) {
        painter.drawText(area, Qt::AlignCenter, tr("reading the audio..."));
        return;
    }
    const int mid = area.center().y();
    const double secondsPerPixel = m_soundDuration / area.width();
    painter.setPen(QColor(110, 160, 230));
    for (int x = 0; x < area.width(); ++x) {
        const auto b0 = static_cast<std::size_t>((m_soundStart + x * secondsPerPixel) * m_binsPerSecond);
        const auto b1 = std::max(b0 + 1, static_cast<std::size_t>((m_soundStart + (x + 1) * secondsPerPixel) * m_binsPerSecond));
        float peak = 0;
        for (auto b = b0; b < b1 && b < m_envelope->size(); ++b) peak = std::max(peak, (*m_envelope)[b]);
        const int half = std::max(1, static_cast<int>(peak * (area.height() / 2)));
        painter.drawLine(area.left() + x, mid - half, area.left() + x, mid + half);
    }
    const int x = area.left() + static_cast<int>(std::clamp(m_playhead / m_soundDuration, 0.0, 1.0) * area.width());
    painter.setPen(QPen(QColor(255, 60, 60), 2));
    painter.drawLine(x, area.top(), x, area.bottom());
}

void VideoWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (m_image && !m_image->isNull()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.drawImage(pictureRect(), *m_image);
    } else if (m_envelope) {
        paintSound(painter);
    }
    if (!m_message.isEmpty()) {
        painter.setPen(QColor(230, 230, 230));
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_message);
    }
}

void VideoWidget::mousePressEvent(QMouseEvent*) {
    Q_EMIT clicked();
}

}  // namespace egmf::ui
