#pragma once
// PlayerController: plays a dialogue's clips one after another (ARCHITECTURE.md, Threads) and keeps
// the clock. The picture comes from a VideoTrack (streams opened ahead, so cuts show no gap), the
// sound from DialogueAudio (the whole dialogue as one stream), which is the master clock: the
// clock runs on the wall clock and is pulled towards the sound device's position; until the sound
// is decoded, and without a device, the wall clock runs alone (muted). One UI timer (60 Hz) takes
// the frame that is due and emits tick(), which every live view follows.
//
// Positions are (utterance, seconds in its clip); dialogue time is the sum of the clips before.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include "dialogue_audio.h"
#include "dialogue_clips.h"
#include "video_track.h"

namespace egmf::ui {

class PlayerController : public QObject {
    Q_OBJECT
public:
    explicit PlayerController(QObject* parent = nullptr);
    ~PlayerController() override;

    /// The clips of a dialogue (DialogueClips::probe); shows the first.
    void setClips(DialogueClips clips);
    const DialogueClips& clips() const { return m_clips; }

    bool playing() const { return m_playing; }
    /// Where the clock is: the utterance on and seconds into its clip.
    ClipPosition position() const;
    double dialogueTime() const;
    double speed() const { return m_speed; }
    /// The frame on screen, its time and how playback went.
    VideoTrack& video() { return m_video; }
    DialogueAudio* audio() const { return m_audio; }

public Q_SLOTS:
    void play();
    void pause();
    void togglePlay();
    /// Shows `at` (clamped to the dialogue); playing goes on from there.
    void seek(ClipPosition at);
    void stepFrame(int direction);
    void setSpeed(double speed);

Q_SIGNALS:
    /// Every timer tick while playing, and after each seek: where the clock is.
    void tick(int utterance, double clipTimeSec);
    void frameChanged();
    void utteranceChanged(int utterance);
    void playingChanged(bool playing);
    void finished();
    void message(QString text);

private:
    void onTimer();
    void openClip(int utterance, double at);
    double clipTime() const;
    /// Restarts the clock at `dialogueTimeSec` (the sound device too, when there is sound).
    void restartClock(double dialogueTimeSec);
    double clock() const;  ///< dialogue time now
    /// Pulls the clock towards the sound device's position (once per tick).
    void syncToAudio();
    /// Counts the span played since the clock last started, up to `end` (dialogue time), as
    /// frames expected.
    void closeSpan(double end);
    /// Takes the decoded sound when it is ready; switches a running wall clock over to it.
    void adoptAudio();
    /// Stops at the end of the dialogue.
    void finish();

    DialogueClips m_clips;
    int m_utterance = -1;
    VideoTrack m_video;
    DialogueAudio* m_audio;
    bool m_audioRunning = false;
    QTimer m_timer;
    QElapsedTimer m_wall;
    double m_origin = 0;                         ///< dialogue time when the clock (re)started
    double m_anchorClock = 0, m_anchorWall = 0;  ///< the clock is anchorClock + (wall - anchorWall) * speed
    bool m_audioStarted = false;                 ///< the device has begun playing this play()'s samples
    double m_spanStart = -1;                     ///< dialogue time where the current played span began
    bool m_playing = false;
    double m_speed = 1.0;
};

}  // namespace egmf::ui
