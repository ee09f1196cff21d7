#pragma once
// Opening and decoding one clip with FFmpeg, guarded the way FFmpeg's own fuzzers open files
// (ARCHITECTURE.md, "Guarding the media path"): an interrupt callback with a deadline, caps on
// probe size, stream count, frame size and decoded samples, and every return code checked. A clip
// that cannot be read gives an Error naming the file and what to do; a missing stream is an empty
// result plus a warning, never a crash.
//
// This is the analysis path: decoding of audio (16 kHz mono float) and of video frames sampled at
// a fixed rate (RGB, or the decoder's YUV 4:2:0 planes for a GPU path), for the whole clip or an
// accurate [start, end) range: the demuxer seeks to the keyframe before `start` and everything
// before it is decoded and dropped, so a range gives exactly what a whole-clip decode gives at
// those times. The player's streaming decoder (frame_stream.cpp) builds on the same pieces.
// FFmpeg-only, no LibTorch: it compiles fast and the fuzzer runs it without torch.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::media {

struct MediaLimits {
    int openTimeoutMs = 10'000;  ///< the whole open + decode must finish in this time
    std::int64_t probeSizeBytes = 5'000'000;
    int maxStreams = 32;
    std::int64_t maxPixels = 4096LL * 4096LL;  ///< per video frame
    double maxDecodedSeconds = 600.0;          ///< longer media is cut here, with a warning
};

struct StreamInfo {
    bool hasAudio = false, hasVideo = false;
    double durationSec = 0.0;  ///< container duration, 0 when unknown
    int audioSampleRateHz = 0, audioChannels = 0;
    int width = 0, height = 0;  ///< as displayed: rotation and sample aspect ratio applied
    int rotationDegrees = 0;    ///< clockwise, from the display matrix (phones: 90 or 270)
    double videoFramesPerSecond = 0.0;
    std::string audioCodec, videoCodec, container;
};

struct AudioTrack {
    std::vector<float> samples;  ///< mono, in [-1, 1]
    int sampleRateHz = 16000;
    double durationSec() const { return static_cast<double>(samples.size()) / sampleRateHz; }
};

enum class PixelFormat {
    Rgb24,    ///< one plane, width * height * 3, row-major
    Yuv420p,  ///< Y (width x height), then U and V ((width + 1) / 2 x (height + 1) / 2), no padding
};

/// Upright (the display matrix applied) with square pixels (the sample aspect ratio applied),
/// tightly packed: rows follow each other without padding.
struct VideoFrame {
    double timeSec = 0.0;  ///< in the clip (0 = its first frame), also for a range decode
    int width = 0, height = 0;
    PixelFormat format = PixelFormat::Rgb24;
    std::vector<std::uint8_t> pixels;

    /// Plane `index` (0 for RGB; 0-2 = Y, U, V for YUV) and its row length in bytes.
    const std::uint8_t* plane(int index, int* stride = nullptr) const;
};

struct DecodeResult {
    StreamInfo info;
    AudioTrack audio;                ///< empty when the clip has no audio stream
    std::vector<VideoFrame> frames;  ///< empty when no video stream or not asked for
    std::vector<std::string> warnings;
};

/// DecodeRequest::videoFramesPerSecond for every decoded frame, each at its own time.
inline constexpr double kEveryFrame = -1.0;

struct DecodeRequest {
    bool audio = true;
    int audioSampleRateHz = 16000;
    double videoFramesPerSecond = 0.0;  ///< 0: no video frames; kEveryFrame: the native rate
    int maxFrameWidth = 0;              ///< 0: native size; else scaled down to this width
    int decoderThreads = 0;             ///< 0: FFmpeg's choice; 1 while a player needs the cores
    PixelFormat pixelFormat = PixelFormat::Rgb24;
    double startSec = 0.0;   ///< decode from here (accurate: seek to a keyframe before, drop the rest)
    double endSec = 0.0;     ///< up to here; 0: to the end
    bool probeOnly = false;  ///< stop after the stream information (probeClip)
    /// When set, sampled frames go here instead of into DecodeResult::frames. The frame's buffer
    /// is reused for the next one after the call returns (no allocation per frame: page faults
    /// cost more than the conversion on these VMs).
    std::function<void(const VideoFrame&)> onFrame;
    /// Polled between packets; false stops decoding with ErrorCode::Cancelled (a player's seek).
    /// Time spent inside onFrame (a consumer waiting for room in its queue) does not count
    /// against MediaLimits::openTimeoutMs, which guards against slow files, not slow consumers.
    std::function<bool()> keepGoing;
};

/// Decodes `path` as asked. Errors name the file.
Result<DecodeResult> decodeClip(const std::filesystem::path& path, const DecodeRequest& request, const MediaLimits& limits = {});

/// Opens `path` and reads its stream information without decoding (dataset checks): duration,
/// streams, codecs. Errors name the file.
Result<StreamInfo> probeClip(const std::filesystem::path& path, const MediaLimits& limits = {});

/// The same for bytes in memory (the fuzzer; clips inside archives later).
Result<DecodeResult> decodeMemory(const std::vector<std::uint8_t>& bytes, const std::string& name, const DecodeRequest& request,
                                  const MediaLimits& limits = {});

}  // namespace egmf::media
