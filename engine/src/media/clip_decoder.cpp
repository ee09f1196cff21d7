#include "clip_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace egmf::media {
namespace {

// Resampling from an absurd rate builds absurd filters (a fuzzed WAV claiming 788 MHz took 1.6 GB
// and 9 s in swresample): refuse what no recording has.
bool plausibleAudio(int sampleRateHz, int channels) {
    return sampleRateHz >= 1000 && sampleRateHz <= 768'000 && channels >= 1 && channels <= 64;
}

// Guard samples after the room swr_convert is given: any of them changed is an overrun
// (FFmpeg is not instrumented, so no sanitizer would see it).
constexpr std::ptrdiff_t kGuardSamples = 16;
constexpr float kGuardSample = -1234.5f;
constexpr int kOverrun = std::numeric_limits<int>::min();
const char* const kOverrunText = "FFmpeg's resampler wrote past its buffer (a bug in our buffer sizes; please report it with this clip)";

Error mediaError(const std::string& name, const std::string& what) {
    return makeError(ErrorCode::Corrupt, name + ": " + what);
}

// FFmpeg's best stream of `type`, except that cover art (an m4a's or mp3's attached picture) is
// not video: a clip whose only picture is its cover has no video stream.
int findStream(AVFormatContext* format, AVMediaType type, const AVCodec** codec) {
    if (type != AVMEDIA_TYPE_VIDEO) return av_find_best_stream(format, type, -1, -1, codec, 0);
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        const AVStream* stream = format->streams[i];
        if (stream->codecpar->codec_type != type || (stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) continue;
        if (const int found = av_find_best_stream(format, type, static_cast<int>(i), -1, codec, 0); found >= 0) return found;
    }
    return AVERROR_STREAM_NOT_FOUND;
}

}  // namespace

Result<void> ClipDecoder::openStream(AVFormatContext* format, AVMediaType type, StreamDecoder& decoder) {
    const AVCodec* codec = nullptr;
    const int index = findStream(format, type, &codec);
    if (index < 0) {
        return {};  // no such stream: the caller records a warning
    }
    if (!codec) {
        m_result.warnings.push_back(std::string(av_get_media_type_string(type)) +
                                    " stream uses a codec this FFmpeg cannot decode; ignored");
        return {};
    }
    const AVStream* stream = format->streams[index];
    CodecContextPtr context(avcodec_alloc_context3(codec));
    if (!context) {
        return makeError(ErrorCode::Internal, m_name + ": out of memory for a decoder");
    }
    m_log.watch(context.get());
    if (int r = avcodec_parameters_to_context(context.get(), stream->codecpar); r < 0) {
        return mediaError(m_name, "bad stream parameters (" + avErrorText(r) + ")");
    }
    if (type == AVMEDIA_TYPE_VIDEO && static_cast<std::int64_t>(context->width) * context->height > m_limits.maxPixels) {
        return mediaError(m_name, "video frames of " + std::to_string(context->width) + "x" + std::to_string(context->height) +
                                      " exceed the size limit; re-encode the clip smaller");
    }
    if (type == AVMEDIA_TYPE_AUDIO && !plausibleAudio(context->sample_rate, context->ch_layout.nb_channels)) {
        return mediaError(m_name, "audio of " + std::to_string(context->sample_rate) + " Hz and " +
                                      std::to_string(context->ch_layout.nb_channels) +
                                      " channels is outside what a recording can be; the header is damaged");
    }
    context->thread_count = m_request.decoderThreads;
    if (int r = avcodec_open2(context.get(), codec, nullptr); r < 0) {
        return mediaError(m_name, std::string("cannot open the ") + codec->name + " decoder (" + avErrorText(r) + ")");
    }
    if (type == AVMEDIA_TYPE_VIDEO) {
        m_converter.setOrientation(orientationFromDisplayMatrix(
            reinterpret_cast<const std::int32_t*>(av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr))));
    }
    decoder.index = index;
    decoder.timeBase = stream->time_base;
    decoder.startSec = stream->start_time == AV_NOPTS_VALUE ? 0.0 : stream->start_time * av_q2d(stream->time_base);
    decoder.codec = std::move(context);
    return {};
}

Result<void> ClipDecoder::feed(StreamDecoder& decoder, const AVPacket* packet) {
    int r = avcodec_send_packet(decoder.codec.get(), packet);
    if (r < 0 && r != AVERROR_EOF) {
        ++m_corruptPackets;  // damaged data: skip the packet, keep decoding
        return {};
    }
    while (true) {
        r = avcodec_receive_frame(decoder.codec.get(), m_frame.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) {
            return {};
        }
        if (r < 0) {
            ++m_corruptPackets;
            return {};
        }
        auto handled = &decoder == &m_audio ? onAudioFrame(m_frame.get()) : onVideoFrame(m_frame.get(), decoder);
        av_frame_unref(m_frame.get());
        if (!handled) {
            return handled;
        }
    }
}

Result<void> ClipDecoder::onAudioFrame(const AVFrame* frame) {
    if (m_audioCapped || frame->nb_samples <= 0) {
        return {};
    }
    int skip = 0;  // input samples of this frame left out, to put the resampler on the whole decode's grid
    if (m_firstAudioSec < 0) {
        const auto pts = frame->best_effort_timestamp;
        const double timeSec = pts == AV_NOPTS_VALUE ? 0.0 : pts * av_q2d(m_audio.timeBase) - m_audio.startSec;
        if (m_request.startSec > 0 && frame->sample_rate > 0) {
            // After a seek the resampler must start on an input sample that a whole-clip decode
            // also turns into an output sample boundary (times where both rates meet, every
            // rate / gcd(rate, 16000) inputs); otherwise every output sample lands up to half a
            // sample off, and the range is not the whole decode at those times.
            const std::int64_t rate = frame->sample_rate;
            const std::int64_t step = rate / std::gcd(rate, static_cast<std::int64_t>(m_request.audioSampleRateHz));
            const std::int64_t first = std::llround(timeSec * static_cast<double>(rate));
            skip = static_cast<int>(((step - first % step) % step + step) % step);
            if (skip >= frame->nb_samples) {
                return {};  // wait for a frame that holds a grid point
            }
            m_firstAudioSec = static_cast<double>(first + skip) / static_cast<double>(rate);
        } else {
            m_firstAudioSec = timeSec;
        }
    }
    const bool inputChanged = !m_resampler || frame->format != m_resamplerFormat || frame->sample_rate != m_resamplerRate ||
                              av_channel_layout_compare(&frame->ch_layout, &m_resamplerInput) != 0;
    if (inputChanged) {
        SwrContext* raw = nullptr;
        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        if (!plausibleAudio(frame->sample_rate, frame->ch_layout.nb_channels) ||
            swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, m_request.audioSampleRateHz,
                                const_cast<AVChannelLayout*>(&frame->ch_layout), static_cast<AVSampleFormat>(frame->format),
                                frame->sample_rate, 0, nullptr) < 0 ||
            swr_init(raw) < 0) {
            swr_free(&raw);
            return mediaError(m_name, "cannot convert its audio (" + std::to_string(frame->sample_rate) +
                                          " Hz) to 16 kHz mono; re-encode the audio track");
        }
        m_resampler.reset(raw);
        av_channel_layout_uninit(&m_resamplerInput);
        av_channel_layout_copy(&m_resamplerInput, &frame->ch_layout);
        m_resamplerFormat = frame->format;
        m_resamplerRate = frame->sample_rate;
    }
    const int inputSamples = frame->nb_samples - skip;
    const std::uint8_t* input[AV_NUM_DATA_POINTERS] = {};
    const int bytesPerSample = av_get_bytes_per_sample(static_cast<AVSampleFormat>(frame->format));
    const bool planar = av_sample_fmt_is_planar(static_cast<AVSampleFormat>(frame->format)) != 0;
    const int planes = planar ? frame->ch_layout.nb_channels : 1;
    if (planes > AV_NUM_DATA_POINTERS) {
        return mediaError(m_name, "audio with more than 8 planar channels is not supported");
    }
    for (int p = 0; p < planes; ++p) {
        input[p] =
            frame->extended_data[p] + static_cast<std::ptrdiff_t>(skip) * bytesPerSample * (planar ? 1 : frame->ch_layout.nb_channels);
    }
    const int capacity = swr_get_out_samples(m_resampler.get(), inputSamples);
    if (capacity < 0) {
        return mediaError(m_name, "audio resampling failed");
    }
    const int converted = resample(input, inputSamples, capacity);
    if (converted < 0) {
        return mediaError(m_name, converted == kOverrun ? kOverrunText : "audio resampling failed (" + avErrorText(converted) + ")");
    }
    auto& samples = m_result.audio.samples;
    const auto cap = static_cast<std::size_t>(m_limits.maxDecodedSeconds * m_request.audioSampleRateHz);
    if (samples.size() > cap) {
        samples.resize(cap);
        m_audioCapped = true;
        m_result.warnings.push_back("audio " + capWarning());
    }
    return {};
}

int ClipDecoder::resample(const std::uint8_t* const* input, int inputSamples, int capacity) {
    auto& samples = m_result.audio.samples;
    const auto start = samples.size();
    samples.resize(start + static_cast<std::size_t>(capacity) + kGuardSamples, kGuardSample);
    auto* out = reinterpret_cast<std::uint8_t*>(samples.data() + start);
    const int converted = swr_convert(m_resampler.get(), &out, capacity, const_cast<const std::uint8_t**>(input), inputSamples);
    const bool intact =
        std::all_of(samples.end() - kGuardSamples, samples.end(), [](float v) { return std::memcmp(&v, &kGuardSample, sizeof v) == 0; });
    samples.resize(start + static_cast<std::size_t>(std::max(0, converted)));
    return intact ? converted : kOverrun;
}

Result<void> ClipDecoder::emitHeldFrame(double targetTimeSec) {
    VideoFrame& frame = m_scratch;
    if (auto converted = m_converter.convert(*m_held, m_request.maxFrameWidth, m_request.pixelFormat, frame); !converted) {
        return converted;
    }
    frame.timeSec = targetTimeSec;
    if (m_request.onFrame) {
        const auto handedOver = Clock::now();
        m_request.onFrame(frame);
        *m_deadline += Clock::now() - handedOver;
    } else {
        m_result.frames.push_back(frame);
    }
    return {};
}

Result<void> ClipDecoder::onVideoFrame(const AVFrame* frame, const StreamDecoder& decoder) {
    if (static_cast<std::int64_t>(frame->width) * frame->height > m_limits.maxPixels || frame->width <= 0 || frame->height <= 0) {
        return mediaError(m_name, "a video frame has an invalid or too large size");
    }
    const auto pts = frame->best_effort_timestamp;
    const double timeSec =
        pts == AV_NOPTS_VALUE ? (m_heldTimeSec < 0 ? 0.0 : m_heldTimeSec) : pts * av_q2d(decoder.timeBase) - decoder.startSec;
    if (everyFrame()) {  // the native rate: each frame in the range, at its own time
        if (timeSec + 1e-9 < m_request.startSec || timeSec >= rangeEnd(std::numeric_limits<double>::infinity())) {
            return {};
        }
        av_frame_unref(m_held.get());
        if (int r = av_frame_ref(m_held.get(), frame); r < 0) {
            return mediaError(m_name, "out of memory holding a video frame");
        }
        return emitHeldFrame(timeSec);
    }
    // Sample k (time start + k / fps) shows the latest frame at or before that time. Frames
    // before the start only ever become the held frame: that is what makes seeking accurate.
    // A frame within 1e-9 s of a sample time is at it (k / 7.5 is not exact in binary).
    while (m_heldTimeSec >= 0 && timeSec > sampleTime(m_nextSample) + 1e-9 &&
           sampleTime(m_nextSample) < rangeEnd(std::numeric_limits<double>::infinity())) {
        if (auto emitted = emitHeldFrame(sampleTime(m_nextSample)); !emitted) {
            return emitted;
        }
        ++m_nextSample;
    }
    av_frame_unref(m_held.get());
    if (int r = av_frame_ref(m_held.get(), frame); r < 0) {
        return mediaError(m_name, "out of memory holding a video frame");
    }
    m_heldTimeSec = std::max(0.0, timeSec);
    return {};
}

bool ClipDecoder::frameNeeded(const AVPacket& packet, double clipEndSec) const {
    if (everyFrame() || packet.pts == AV_NOPTS_VALUE || packet.duration <= 0) return true;
    const double base = av_q2d(m_video.timeBase);
    const double start = static_cast<double>(packet.pts) * base - m_video.startSec;
    const double end = start + static_cast<double>(packet.duration) * base;
    // Near the clip's end the last frame may show until the end: decode everything there.
    if (clipEndSec <= 0 || end >= clipEndSec - 2.0 / m_request.videoFramesPerSecond) return true;
    // The first sample time at or after the frame's start; the frame shows from start to end.
    const double k = std::ceil((start - m_request.startSec) * m_request.videoFramesPerSecond - 1e-6);
    const double sample = sampleTime(static_cast<std::int64_t>(std::max(0.0, k)));
    return sample < end + 1e-6;
}

void ClipDecoder::seekToStart(AVFormatContext* format) {
    // To the keyframe at or before the start; decoding from there and dropping what comes before
    // the start is what makes the range exact. If the container cannot seek, decode from 0.
    const std::int64_t containerStart = format->start_time == AV_NOPTS_VALUE ? 0 : format->start_time;
    const auto target = containerStart + static_cast<std::int64_t>(m_request.startSec * AV_TIME_BASE);
    if (avformat_seek_file(format, -1, INT64_MIN, target, target, 0) < 0) {
        m_result.warnings.push_back("the container cannot seek; decoded from the beginning to reach " + std::to_string(m_request.startSec) +
                                    " s");
        return;
    }
    for (auto* decoder : {&m_audio, &m_video}) {
        if (decoder->codec) avcodec_flush_buffers(decoder->codec.get());
    }
}

void ClipDecoder::trimAudioToRange() {
    // Output sample i is at m_firstAudioSec + i / rate: drop what lies before the start and after the end.
    auto& samples = m_result.audio.samples;
    const double rate = m_request.audioSampleRateHz;
    if (m_request.startSec > 0 && m_firstAudioSec >= 0) {
        const auto drop = static_cast<std::int64_t>(std::lround((m_request.startSec - m_firstAudioSec) * rate));
        if (drop > 0) {
            samples.erase(samples.begin(), samples.begin() + std::min<std::int64_t>(drop, static_cast<std::int64_t>(samples.size())));
        } else if (drop < 0) {
            samples.insert(samples.begin(), static_cast<std::size_t>(-drop), 0.0f);  // silence before the first sample
        }
    }
    if (m_request.endSec > 0) {
        const auto keep = static_cast<std::size_t>(std::lround((m_request.endSec - m_request.startSec) * rate));
        if (samples.size() > keep) samples.resize(keep);
    }
}

Result<DecodeResult> ClipDecoder::run(AVFormatContext* format) {
    if (static_cast<int>(format->nb_streams) > m_limits.maxStreams) {
        return mediaError(m_name, std::to_string(format->nb_streams) + " streams, more than the " + std::to_string(m_limits.maxStreams) +
                                      " a clip may have");
    }
    if (int r = avformat_find_stream_info(format, nullptr); r < 0) {
        return mediaError(m_name, timedOut() ? "reading the stream information took too long; the file may be damaged"
                                             : "no readable streams (" + avErrorText(r) + "); is it a media file?");
    }
    auto& info = m_result.info;
    info.container = format->iformat ? format->iformat->name : "";
    info.durationSec = format->duration > 0 ? static_cast<double>(format->duration) / AV_TIME_BASE : 0.0;
    if (m_request.audio) {
        if (auto opened = openStream(format, AVMEDIA_TYPE_AUDIO, m_audio); !opened) {
            return opened.error();
        }
    }
    if (m_request.videoFramesPerSecond > 0 || everyFrame()) {
        if (auto opened = openStream(format, AVMEDIA_TYPE_VIDEO, m_video); !opened) {
            return opened.error();
        }
    }
    if (m_audio.codec) {
        info.hasAudio = true;
        info.audioSampleRateHz = m_audio.codec->sample_rate;
        info.audioChannels = m_audio.codec->ch_layout.nb_channels;
        info.audioCodec = m_audio.codec->codec->name;
    } else if (m_request.audio) {
        m_result.warnings.push_back("no audio stream: analysed without audio");
    }
    if (m_video.codec) {
        info.hasVideo = true;
        const auto& parameters = *format->streams[m_video.index]->codecpar;
        const Orientation orientation = m_converter.orientation();
        displaySize(parameters.width, parameters.height, parameters.sample_aspect_ratio.num, parameters.sample_aspect_ratio.den,
                    orientation, 0, info.width, info.height);
        info.rotationDegrees = orientation.rotationDegrees;
        const auto rate = format->streams[m_video.index]->avg_frame_rate;
        info.videoFramesPerSecond = rate.den > 0 ? av_q2d(rate) : 0.0;
        info.videoCodec = m_video.codec->codec->name;
    } else if (m_request.videoFramesPerSecond > 0 || everyFrame()) {
        m_result.warnings.push_back("no video stream: analysed without video");
    }
    m_result.audio.sampleRateHz = m_request.audioSampleRateHz;
    if (m_request.probeOnly) {
        return std::move(m_result);
    }

    PacketPtr packet(av_packet_alloc());
    if (!packet || !m_frame || !m_held) {
        return makeError(ErrorCode::Internal, m_name + ": out of memory");
    }
    if (m_request.startSec > 0) {
        seekToStart(format);
    }
    while (true) {
        if (m_request.keepGoing && !m_request.keepGoing()) {
            return makeError(ErrorCode::Cancelled, m_name + ": decoding stopped");
        }
        const int r = av_read_frame(format, packet.get());
        if (r == AVERROR_EOF) {
            break;
        }
        if (r >= 0 && packet->pts != AV_NOPTS_VALUE && packet->stream_index >= 0 &&
            packet->stream_index < static_cast<int>(format->nb_streams)) {
            // Past the range (endSec, or the decode cap: a clip wrongly cut to 5 minutes is read
            // no further than its first maxDecodedSeconds) by more than any decoder delay.
            const auto* stream = format->streams[packet->stream_index];
            const double start = stream->start_time == AV_NOPTS_VALUE ? 0.0 : stream->start_time * av_q2d(stream->time_base);
            const double stopAt = rangeEnd(std::numeric_limits<double>::infinity());
            if (packet->pts * av_q2d(stream->time_base) - start > stopAt + 1.0) {
                av_packet_unref(packet.get());
                if (!m_audioCapped && (m_request.endSec <= 0 || stopAt < m_request.endSec)) {
                    m_result.warnings.push_back(capWarning());
                }
                break;
            }
        }
        if (r < 0) {
            if (timedOut()) {
                return mediaError(m_name, "decoding took longer than " + std::to_string(m_limits.openTimeoutMs / 1000) +
                                              " s; the file may be damaged or far too long");
            }
            m_result.warnings.push_back("read error (" + avErrorText(r) + "); the rest of the clip was skipped");
            break;
        }
        Result<void> fed;
        if (packet->stream_index == m_audio.index && m_audio.codec) {
            fed = feed(m_audio, packet.get());
        } else if (packet->stream_index == m_video.index && m_video.codec) {
            m_video.codec->skip_frame = frameNeeded(*packet, info.durationSec) ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
            fed = feed(m_video, packet.get());
        }
        av_packet_unref(packet.get());
        if (!fed) {
            return fed.error();
        }
    }
    for (auto* decoder : {&m_audio, &m_video}) {
        if (decoder->codec) {
            if (auto flushed = feed(*decoder, nullptr); !flushed) {
                return flushed.error();
            }
        }
    }
    if (m_resampler && !m_audioCapped) {  // the resampler's delayed samples
        const int capacity = swr_get_out_samples(m_resampler.get(), 0);
        if (capacity > 0 && resample(nullptr, 0, capacity) == kOverrun) return mediaError(m_name, kOverrunText);
    }
    if (m_heldTimeSec >= 0 && !everyFrame()) {  // the last frame shows until the end of the clip
        const double step = 1.0 / m_request.videoFramesPerSecond;
        // Until the container's end; without a known duration, one sample past the last frame.
        const double end = rangeEnd(info.durationSec > 0 ? info.durationSec : std::max(m_heldTimeSec, m_request.startSec) + step);
        while (sampleTime(m_nextSample) < end - 1e-9) {
            if (auto emitted = emitHeldFrame(sampleTime(m_nextSample)); !emitted) {
                return emitted.error();
            }
            ++m_nextSample;
        }
    }
    trimAudioToRange();
    if (m_corruptPackets > 0) {
        m_result.warnings.push_back(std::to_string(m_corruptPackets) + " damaged packets were skipped");
    }
    return std::move(m_result);
}

}  // namespace egmf::media
