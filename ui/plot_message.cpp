#include "plot_message.h"

#include <QEvent>

#include <algorithm>

namespace egmf::ui {

PlotMessage::PlotMessage(QWidget* plot) : QLabel(plot) {
    setWordWrap(true);
    setAlignment(Qt::AlignCenter);
    setAttribute(Qt::WA_TransparentForMouseEvents);  // clicks still reach the plot
    setStyleSheet(
        QStringLiteral("QLabel { background: rgba(255, 255, 255, 215); color: #202020; border-radius: 4px; "
                       "padding: 6px; font-size: 12pt; }"));
    plot->installEventFilter(this);
    hide();
}

void PlotMessage::setMessage(const QString& message) {
    setText(message);
    setVisible(!message.isEmpty());
    place();
}

bool PlotMessage::eventFilter(QObject* watched, QEvent* event) {
    if (watched == parent() && event->type() == QEvent::Resize) place();
    return QLabel::eventFilter(watched, event);
}

void PlotMessage::place() {
    const auto* plot = parentWidget();
    if (!plot || text().isEmpty()) return;
    ensurePolished();  // the style sheet's font decides the text's width
    const int natural = fontMetrics().horizontalAdvance(text()) + 24;
    const int width = std::clamp(natural, 60, std::max(60, plot->width() - 24));
    const int height = std::min(plot->height(), heightForWidth(width));
    setGeometry((plot->width() - width) / 2, (plot->height() - height) / 2, width, height);
    raise();
}

}  // namespace egmf::ui
