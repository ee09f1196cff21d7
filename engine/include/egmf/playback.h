#pragma once
// Playback for the Studio's player (ARCHITECTURE.md, Threads): a FrameStream decodes one clip's
// video on its own thread into a bounded queue of RGB frames (three by default); the player
// takes each frame when its clock reaches the frame's time and gives the buffer back by taking
// the next, so decoding runs at most a few frames ahead and allocates nothing per frame. A seek
// empties the queue and restarts decoding at the new time (the frames before it are decoded and
// dropped, so the first frame shown is the one at that time). The audio of a clip is small
// (16-bit-worth of a few seconds) and is decoded whole, at the output device's rate, stretched
// to the playback speed without changing its pitch (libavfilter's atempo).
//
// Built on the analysis decoder's guards (media/media_file.h). Torch-free, FFmpeg-free header:
// the Studio includes it.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf {

struct ClipInfo {
    double durationSec = 0;
    bool hasAudio = false, hasVideo = false;
    int width = 0, height = 0;
    double framesPerSecond = 0;
};

/// Stream information of a clip without decoding it. Errors name the file.
Result<ClipInfo> probeClipInfo(const std::filesystem::path& path);

struct PlaybackFrame {
    double timeSec = 0;  ///< in the clip
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;  ///< RGB24, rows of width * 3 bytes
};

struct PlaybackAudio {
    std::vector<float> samples;  ///< mono, [-1, 1]
    int sampleRateHz = 48000;
    double durationSec() const { return samples.empty() ? 0.0 : static_cast<double>(samples.size()) / sampleRateHz; }
};

/// The clip's audio, mono at `sampleRateHz`, played `tempo` times as fast (0.5-2; same pitch).
/// A clip without audio gives empty samples. Errors name the file.
Result<PlaybackAudio> decodePlaybackAudio(const std::filesystem::path& path, int sampleRateHz, double tempo = 1.0);

/// `samples` played `tempo` times as fast with the same pitch (libavfilter atempo, 0.5-2).
Result<std::vector<float>> changeTempo(const std::vector<float>& samples, int sampleRateHz, double tempo);

struct FrameStreamOptions {
    int queueFrames = 3;
    int maxWidth = 0;        ///< 0: the clip's size; else scaled down to this width
    int decoderThreads = 1;  ///< FFmpeg's threads: one, so analysis keeps the other cores
};

class FrameStream {
public:
    /// Opens the clip and starts decoding from its beginning. Errors name the file.
    static Result<std::unique_ptr<FrameStream>> open(const std::filesystem::path& path, FrameStreamOptions options = {});
    ~FrameStream();  ///< stops the decode thread and joins it
    FrameStream(const FrameStream&) = delete;
    FrameStream& operator=(const FrameStream&) = delete;

    const ClipInfo& info() const;
    /// Empties the queue; the next frames start at `timeSec` (clamped to the clip).
    void seek(double timeSec);
    /// The time of the next frame, when one is queued.
    bool nextFrameTime(double& timeSec) const;
    /// Moves the next queued frame into `frame` (non-blocking; false when none is queued). The
    /// buffer `frame` held before goes back to the decoder for reuse.
    bool takeFrame(PlaybackFrame& frame);
    /// Everything up to the clip's end has been decoded and taken.
    bool atEnd() const;
    /// Why decoding stopped early ("" while fine): a damaged clip names itself here.
    std::string error() const;

private:
    struct State;
    explicit FrameStream(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace egmf
