#pragma once
// Draws the player's current frame, scaled to fit with its aspect ratio kept (letterboxed on
// black), or a line of text when there is no picture (no clip, a damaged clip).

#include <QImage>
#include <QWidget>

namespace egmf::ui {

class VideoWidget : public QWidget {
    Q_OBJECT
public:
    explicit VideoWidget(QWidget* parent = nullptr);
    void setImage(const QImage* image);  ///< not owned; repainted on each frameChanged
    void setMessage(const QString& message);
    QRect pictureRect() const;           ///< where the picture lands in the widget
    QSize sizeHint() const override { return {480, 360}; }

Q_SIGNALS:
    void clicked();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;

private:
    const QImage* m_image = nullptr;
    QString m_message;
};

}  // namespace egmf::ui
