#pragma once
// VideoTrack: the picture side of the player. Each clip's video comes from a FrameStream (its own
// decode thread, a 3-frame queue); the next clip's stream is opened on a worker thread while the
// current one plays (opening a file costs tens of milliseconds, more than a frame period), so the
// cut between utterances shows no gap. It holds the frame on screen and counts how playback went.

#include <QImage>
#include <QString>
#include <future>
#include <memory>

#include "dialogue_clips.h"
#include "egmf/playback.h"

namespace egmf::ui {

struct PlaybackStats {
    int presented = 0;    ///< frames shown
    int dropped = 0;      ///< frames decoded but skipped because a later one was already due
    int late = 0;         ///< frames shown more than one frame period after their time
    double expected = 0;  ///< frames the played span holds at the clips' rates
};

class VideoTrack {
public:
    VideoTrack() = default;
    ~VideoTrack();
    VideoTrack(const VideoTrack&) = delete;
    VideoTrack& operator=(const VideoTrack&) = delete;

    /// Forgets the streams and the frame on screen.
    void clear();
    /// Shows `clip` (utterance `utterance`) from clip time `at`, with the stream prepare() opened
    /// when it is this utterance's; `changed`: a cut from another utterance. The error when the
    /// clip cannot be opened (then no picture).
    QString open(int utterance, const PlayerClip& clip, double at, bool changed);
    /// Starts opening `clip`, the next utterance's, on a worker thread.
    void prepare(int utterance, const PlayerClip& clip);
    /// Takes the frames due at clip time `t` (after a seek, the first frame even if early); true
    /// when a new frame is on screen. While playing, counts frames presented, dropped and late.
    bool takeDue(double t, bool playing);
    /// Adds the frames `seconds` of this clip hold to the expected count (none without a picture).
    void countExpected(double seconds);
    /// Paused: the frame asked for is on screen, or none will come.
    bool settled() const;
    /// The decoder's error, once, when the clip has played to its end (a damaged clip plays what
    /// decodes, then says why); else empty.
    QString endError();

    const QImage& image() const { return m_image; }
    double time() const { return m_time; }  ///< clip time of the frame on screen; -1: none yet
    PlaybackStats stats() const { return m_stats; }
    void resetStats() { m_stats = {}; }

private:
    /// The stream prepare() opened when it was for `utterance` (waiting for the worker if it is
    /// still opening), else null; forgets the prepared one either way.
    std::unique_ptr<FrameStream> takePrepared(int utterance);

    std::unique_ptr<FrameStream> m_stream;
    std::future<Result<std::unique_ptr<FrameStream>>> m_next;  ///< being opened by prepare()
    int m_nextFor = -1;
    double m_offset = 0;  ///< the clip's start in its file
    double m_framesPerSecond = 25;
    PlaybackFrame m_shown;
    QImage m_image;
    double m_time = -1;
    bool m_errorReported = false;
    PlaybackStats m_stats;
};

}  // namespace egmf::ui
