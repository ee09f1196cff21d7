#pragma once
// PlayerController: plays a dialogue's clips one after another (ARCHITECTURE.md, Threads). Each
// clip's video comes from a FrameStream (its own decode thread, a 3-frame queue); the next
// clip's stream is opened on a worker thread while the current one plays (opening a file costs
// tens of milliseconds, more than a frame period), so the cut between utterances shows no gap.
// The audio of the whole dialogue (every clip's range, silence where a clip has none) is decoded
// in the background into one buffer and played by one AudioOutput, which is the master
// clock of dialogue time: the cut to the next clip never restarts the sound device. Until the
// buffer is ready, and without a device, the wall clock runs (muted). One UI timer (60 Hz) takes
// the frame that is due and emits tick(), which every live view follows.
//
// Positions are (utterance, seconds in its clip); dialogue time is the sum of the clips before.

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QTimer>
#include <future>
#include <memory>
#include <vector>

#include "egmf/playback.h"

namespace egmf::ui {

class AudioOutput;

struct PlayerClip {
    QString path;  ///< empty: no clip (the utterance is shown for `durationSec` as text)
    /// The range of the file that is this utterance (a transcript cue in a long clip); clip
    /// time 0 is `startSec`. endSec 0: to the end of the file.
    double startSec = 0, endSec = 0;
    double durationSec = 0;
    double framesPerSecond = 25;
    bool hasVideo = true;  ///< false for a sound-only clip: it plays its audio, with no picture stream
    QString error;         ///< why the clip cannot be played, when it cannot
};

struct PlaybackStats {
    int presented = 0;    ///< frames shown
    int dropped = 0;      ///< frames decoded but skipped because a later one was already due
    int late = 0;         ///< frames shown more than one frame period after their time
    double expected = 0;  ///< frames the played span holds at the clips' rates
};

class PlayerController : public QObject {
    Q_OBJECT
public:
    explicit PlayerController(QObject* parent = nullptr);
    ~PlayerController() override;

    /// The clips of a dialogue, probed for duration and frame rate (missing ones noted).
    void setClips(std::vector<PlayerClip> clips);
    /// Fills each clip's duration (its range's, or the file's), frame rate and error by probing.
    static std::vector<PlayerClip> probeClips(std::vector<PlayerClip> clips);
    const std::vector<PlayerClip>& clips() const { return m_clips; }

    bool playing() const { return m_playing; }
    int utterance() const { return m_utterance; }
    double clipTime() const;  ///< seconds into the current clip, from the clock
    double dialogueTime() const;
    double clipStart(int utterance) const;  ///< dialogue time where the utterance starts
    double dialogueDuration() const;
    double speed() const { return m_speed; }
    double frameTime() const { return m_frameTime; }  ///< time of the frame on screen
    bool audible() const;
    QString audioStatus() const;
    const QImage& frame() const { return m_image; }
    PlaybackStats stats() const { return m_stats; }
    void resetStats() { m_stats = {}; }

public Q_SLOTS:
    void play();
    void pause();
    void togglePlay();
    void seek(int utterance, double clipTimeSec);
    void seekDialogueTime(double seconds);
    void stepFrame(int direction);
    void setSpeed(double speed);
    void setVolume(double volume);
    void setContinuous(bool continuous) { m_continuous = continuous; }

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
    /// Restarts the clock at `dialogueTimeSec` (the sound device too, when there is audio).
    void restartClock(double dialogueTimeSec);
    double clock() const;  ///< dialogue time now
    /// Pulls the clock towards the sound device's position (once per tick).
    void syncToAudio();
    /// Adds the span played since the clock last started, up to `end` (dialogue time), to the
    /// expected frames.
    void closeSpan(double end);
    /// Starts opening the next clip's stream on a worker thread (continuous play).
    void prepareNext();
    /// The next clip's stream when `utterance` is the one prepareNext opened (waiting for the
    /// worker if it is still opening), else null; forgets the prepared one either way.
    std::unique_ptr<FrameStream> takePrepared(int utterance);
    void takeDueFrames(double t);
    void startAudioDecode();
    /// Takes the decoded dialogue audio when it is ready; switches a running wall clock over.
    void adoptAudio();

    std::vector<PlayerClip> m_clips;
    int m_utterance = -1;
    std::unique_ptr<FrameStream> m_stream;
    std::future<Result<std::unique_ptr<FrameStream>>> m_nextStream;  ///< being opened by prepareNext
    int m_nextFor = -1;
    PlaybackFrame m_shown;
    QImage m_image;
    double m_frameTime = -1;
    AudioOutput* m_output;
    std::future<std::vector<float>> m_pendingAudio;  ///< the dialogue's audio, being decoded
    std::vector<float> m_dialogueAudio;              ///< at speed 1, at the device's rate
    std::vector<float> m_stretched;                  ///< at the current speed
    bool m_audioRunning = false;
    bool m_errorReported = false;
    QTimer m_timer;
    QElapsedTimer m_wall;
    double m_origin = 0;                         ///< dialogue time when the clock (re)started
    double m_anchorClock = 0, m_anchorWall = 0;  ///< the clock is anchorClock + (wall - anchorWall) * speed
    bool m_audioStarted = false;                 ///< the device has begun playing this play()'s samples
    double m_spanStart = -1;                     ///< dialogue time where the current played span began
    bool m_playing = false, m_continuous = true;
    double m_speed = 1.0;
    PlaybackStats m_stats;
};

}  // namespace egmf::ui
