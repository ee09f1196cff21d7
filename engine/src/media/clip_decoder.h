#pragma once
// ClipDecoder: one clip's streams decoded as a DecodeRequest asks (media_file.h is the design
// note: guards, ranges, sampling). It owns the decoders, the resampler and the frame converter for
// one run over an opened AVFormatContext; decode() in media_file.cpp opens the file and the
// deadline, and routes FFmpeg's messages (ClipLog) around it.

#include <chrono>
#include <string>

#include "av_ptr.h"
#include "egmf/app/media_file.h"
#include "ffmpeg_log.h"
#include "frame_converter.h"

namespace egmf::media {

using Clock = std::chrono::steady_clock;

struct StreamDecoder {
    int index = -1;
    CodecContextPtr codec;
    AVRational timeBase{0, 1};
    double startSec = 0.0;
};

class ClipDecoder {
public:
    ClipDecoder(std::string name, const DecodeRequest& request, const MediaLimits& limits, Clock::time_point* deadline, ClipLog& log)
        : m_name(std::move(name)), m_request(request), m_limits(limits), m_deadline(deadline), m_log(log), m_converter(m_name) {}
    ~ClipDecoder() { av_channel_layout_uninit(&m_resamplerInput); }
    ClipDecoder(const ClipDecoder&) = delete;
    ClipDecoder& operator=(const ClipDecoder&) = delete;

    Result<DecodeResult> run(AVFormatContext* format);

private:
    Result<void> openStream(AVFormatContext* format, AVMediaType type, StreamDecoder& decoder);
    Result<void> feed(StreamDecoder& decoder, const AVPacket* packet);
    Result<void> onAudioFrame(const AVFrame* frame);
    Result<void> onVideoFrame(const AVFrame* frame, const StreamDecoder& decoder);
    Result<void> emitHeldFrame(double targetTimeSec);
    /// swr_convert into the end of the audio, with guard samples after the room it is given;
    /// the count converted, an FFmpeg error, or kOverrun.
    int resample(const std::uint8_t* const* input, int inputSamples, int capacity);
    bool timedOut() const { return Clock::now() > *m_deadline; }
    bool everyFrame() const { return m_request.videoFramesPerSecond == kEveryFrame; }
    double sampleTime(std::int64_t k) const { return m_request.startSec + static_cast<double>(k) / m_request.videoFramesPerSecond; }
    /// The end of the requested range (the clip's end, the decode cap, or endSec).
    double rangeEnd(double clipEnd) const {
        const double end = std::min(m_limits.maxDecodedSeconds, clipEnd);
        return m_request.endSec > 0 ? std::min(end, m_request.endSec) : end;
    }
    void seekToStart(AVFormatContext* format);
    /// Whether the frame of this video packet can be the one a sample shows. A frame no other
    /// frame refers to and no sample shows need not be decoded at all: sampling at 4 fps from 25,
    /// about half of H.264's frames (x264's non-reference B-frames) are skipped, and every sample
    /// is the frame it would be otherwise.
    bool frameNeeded(const AVPacket& packet, double clipEndSec) const;
    /// "longer than 60 s; decoded the first 60 s" (the decode cap).
    std::string capWarning() const {
        const auto cap = std::to_string(static_cast<int>(m_limits.maxDecodedSeconds));
        return "longer than " + cap + " s; decoded the first " + cap + " s";
    }
    void trimAudioToRange();

    std::string m_name;
    DecodeRequest m_request;
    MediaLimits m_limits;
    Clock::time_point* m_deadline;
    ClipLog& m_log;
    DecodeResult m_result;
    StreamDecoder m_audio, m_video;
    ResamplerPtr m_resampler;
    AVChannelLayout m_resamplerInput{};
    int m_resamplerFormat = -1, m_resamplerRate = 0;
    bool m_audioCapped = false;
    FramePtr m_frame{av_frame_alloc()};
    FramePtr m_held{av_frame_alloc()};  ///< the latest video frame, shown until the next one
    double m_heldTimeSec = -1.0;
    std::int64_t m_nextSample = 0;  ///< index of the next sampled video frame (time k / fps)
    FrameConverter m_converter;
    VideoFrame m_scratch;           ///< the conversion target, reused frame after frame
    double m_firstAudioSec = -1.0;  ///< time of the first sample given to the resampler
    int m_corruptPackets = 0;
};

}  // namespace egmf::media
