#pragma once
// The strip under the player: the dialogue's utterances as segments along time, each coloured
// by its prediction (grey hatching while analysing) with the gold marked above it, the audio's
// waveform below, aligned with the segments, and the playhead. A click seeks there.

#include <QColor>
#include <QTimer>
#include <QWidget>
#include <future>
#include <vector>

#include "dialogue_clips.h"

namespace egmf::ui {

struct TimelineSegment {
    double startSec = 0, durationSec = 0;
    QString prediction, gold;
    QColor predictionColor, goldColor;
    bool analysed = false;
    bool correct = true;
};

class TimelineStrip : public QWidget {
    Q_OBJECT
public:
    explicit TimelineStrip(QWidget* parent = nullptr);
    ~TimelineStrip() override;
    void setSegments(std::vector<TimelineSegment> segments);
    void setPlayhead(double dialogueTimeSec);
    /// Decodes the clips' audio in the background and draws its envelope when ready.
    void loadWaveform(const std::vector<PlayerClip>& clips);
    /// Peak amplitude per bin (kBinsPerSecond) over the whole dialogue; empty until loaded.
    const std::vector<float>& envelope() const { return m_envelope; }
    static constexpr int kBinsPerSecond = 50;
    QSize sizeHint() const override { return {600, 84}; }

Q_SIGNALS:
    void seekRequested(double dialogueTimeSec);
    void waveformReady();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;

private:
    double totalSeconds() const;
    double xToTime(int x) const;
    int timeToX(double t) const;
    std::vector<TimelineSegment> m_segments;
    double m_playhead = 0;
    std::vector<float> m_envelope;
    std::future<std::vector<float>> m_pending;
    QTimer m_poll;
};

}  // namespace egmf::ui
