#pragma once
// Draws the player's current frame, scaled to fit with its aspect ratio kept (letterboxed on
// black), or, for a sound-only clip, its waveform with the playhead, or a line of text when
// there is no picture (no clip, a damaged clip).

#include <QImage>
#include <QWidget>
#include <vector>

class QPainter;

namespace egmf::ui {

class VideoWidget : public QWidget {
    Q_OBJECT
public:
    explicit VideoWidget(QWidget* parent = nullptr);
    void setImage(const QImage* image);  ///< not owned; repainted on each frameChanged
    void setMessage(const QString& message);
    /// A sound-only clip: its stretch [startSec, startSec + durationSec) of the dialogue's
    /// envelope (peaks per bin, not owned; empty while it is being read) and the playhead, drawn
    /// when there is no picture.
    void setSound(const std::vector<float>* envelope, int binsPerSecond, double startSec, double durationSec, double playheadSec);
    void clearSound();
    QRect pictureRect() const;  ///< where the picture lands in the widget
    QSize sizeHint() const override { return {480, 360}; }

Q_SIGNALS:
    void clicked();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;

private:
    void paintSound(QPainter& painter);

    const QImage* m_image = nullptr;
    QString m_message;
    const std::vector<float>* m_envelope = nullptr;
    int m_binsPerSecond = 0;
    double m_soundStart = 0, m_soundDuration = 0, m_playhead = 0;
};

}  // namespace egmf::ui
