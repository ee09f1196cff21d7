#include "video_widget.h"

#include <QPainter>

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

void VideoWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (m_image && !m_image->isNull()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.drawImage(pictureRect(), *m_image);
    }
    if (!m_message.isEmpty()) {
        painter.setPen(QColor(230, 230, 230));
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_message);
    }
}

void VideoWidget::mousePressEvent(QMouseEvent*) { Q_EMIT clicked(); }

}  // namespace egmf::ui
