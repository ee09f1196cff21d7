// Structure-aware media fuzzing. The byte-mutating target (fuzz_media) almost never reaches a new
// frame size: a size lives in a few header bytes guarded by checksums and codec rules. Here the
// fuzzer's bytes choose the clip itself (width, height, pixel format, codec, rotation and flips,
// sample aspect ratio, audio rate and channels); the clip is encoded in process with libavcodec
// into a container in memory and decoded by our path at a chosen output width and format. Our
// guard bytes after every buffer FFmpeg writes turn an overrun into an error, and this target
// traps on it, as it does on a frame that is not tightly packed at the size the clip reports.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "egmf/app/media_file.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
}

namespace {

struct VideoChoice {
    const char* encoder;
    const char* muxer;  ///< mov keeps a display matrix; matroska takes what mov refuses
    std::array<AVPixelFormat, 4> formats;
};

const VideoChoice kVideo[] = {
    {"mjpeg", "mov", {AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ420P}},
    {"mpeg4", "mov", {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P}},
    {"png", "mov", {AV_PIX_FMT_RGB24, AV_PIX_FMT_RGBA, AV_PIX_FMT_GRAY8, AV_PIX_FMT_RGB48BE}},
    {"ffv1", "matroska", {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_GBRP, AV_PIX_FMT_YUV422P}},
    {"rawvideo", "matroska", {AV_PIX_FMT_NV12, AV_PIX_FMT_YUYV422, AV_PIX_FMT_BGR0, AV_PIX_FMT_YUV420P10LE}},
};

struct Muxed {
    AVFormatContext* format = nullptr;
    AVCodecContext* video = nullptr;
    AVCodecContext* audio = nullptr;
    ~Muxed() {
        avcodec_free_context(&video);
        avcodec_free_context(&audio);
        if (format && format->pb) {
            std::uint8_t* leftover = nullptr;
            avio_close_dyn_buf(format->pb, &leftover);
            av_free(leftover);
        }
        avformat_free_context(format);
    }
};

bool writeFrame(AVFormatContext* format, AVCodecContext* codec, AVStream* stream, AVFrame* frame) {
    if (avcodec_send_frame(codec, frame) < 0) return false;
    AVPacket* packet = av_packet_alloc();
    int r = 0;
    while ((r = avcodec_receive_packet(codec, packet)) >= 0) {
        av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
        packet->stream_index = stream->index;
        if (av_interleaved_write_frame(format, packet) < 0) {
            av_packet_free(&packet);
            return false;
        }
    }
    av_packet_free(&packet);
    return r == AVERROR(EAGAIN) || r == AVERROR_EOF;
}

/// Encodes the clip the provider describes; empty when the encoder refuses the combination.
std::vector<std::uint8_t> encodeClip(FuzzedDataProvider& in) {
    const auto& choice = kVideo[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kVideo) - 1)];
    const AVPixelFormat pixelFormat = choice.formats[in.ConsumeIntegralInRange<std::size_t>(0, 3)];
    const int width = in.ConsumeIntegralInRange(1, 1100), height = in.ConsumeIntegralInRange(1, 1100);
    const int frames = in.ConsumeIntegralInRange(1, 3);
    const int rotation = 90 * in.ConsumeIntegralInRange(0, 3);
    const bool flipH = in.ConsumeBool(), flipV = in.ConsumeBool();
    const AVRational aspects[] = {{1, 1}, {2, 1}, {1, 2}, {4, 3}, {0, 1}, {40, 33}};
    const AVRational aspect = aspects[in.ConsumeIntegralInRange<std::size_t>(0, std::size(aspects) - 1)];
    const bool withAudio = in.ConsumeBool();
    const int rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000};
    const int rate = rates[in.ConsumeIntegralInRange<std::size_t>(0, std::size(rates) - 1)];
    const int channels = in.ConsumeIntegralInRange(1, 8);
    if (static_cast<long>(width) * height * frames > 1'500'000) return {};  // keeps each run short

    Muxed out;
    if (avformat_alloc_output_context2(&out.format, nullptr, choice.muxer, nullptr) < 0 || avio_open_dyn_buf(&out.format->pb) < 0)
        return {};
    const AVCodec* videoCodec = avcodec_find_encoder_by_name(choice.encoder);
    if (!videoCodec) return {};
    out.video = avcodec_alloc_context3(videoCodec);
    out.video->width = width;
    out.video->height = height;
    out.video->pix_fmt = pixelFormat;
    out.video->sample_aspect_ratio = aspect;
    out.video->time_base = {1, 25};
    out.video->framerate = {25, 1};
    out.video->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
    if (out.format->oformat->flags & AVFMT_GLOBALHEADER) out.video->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(out.video, videoCodec, nullptr) < 0) return {};
    AVStream* videoStream = avformat_new_stream(out.format, nullptr);
    if (!videoStream || avcodec_parameters_from_context(videoStream->codecpar, out.video) < 0) return {};
    videoStream->time_base = out.video->time_base;
    videoStream->sample_aspect_ratio = aspect;
    if (rotation != 0 || flipH || flipV) {
        auto* matrix =
            reinterpret_cast<std::int32_t*>(av_stream_new_side_data(videoStream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(std::int32_t)));
        if (!matrix) return {};
        av_display_rotation_set(matrix, rotation);
        av_display_matrix_flip(matrix, flipH, flipV);
    }
    AVStream* audioStream = nullptr;
    if (withAudio) {
        const AVCodec* audioCodec = avcodec_find_encoder(AV_CODEC_ID_PCM_S16LE);
        out.audio = avcodec_alloc_context3(audioCodec);
        out.audio->sample_rate = rate;
        out.audio->sample_fmt = AV_SAMPLE_FMT_S16;
        av_channel_layout_default(&out.audio->ch_layout, channels);
        out.audio->time_base = {1, rate};
        if (avcodec_open2(out.audio, audioCodec, nullptr) < 0) return {};
        audioStream = avformat_new_stream(out.format, nullptr);
        if (!audioStream || avcodec_parameters_from_context(audioStream->codecpar, out.audio) < 0) return {};
        audioStream->time_base = out.audio->time_base;
    }
    if (avformat_write_header(out.format, nullptr) < 0) return {};

    AVFrame* frame = av_frame_alloc();
    frame->width = width;
    frame->height = height;
    frame->format = pixelFormat;
    bool ok = av_frame_get_buffer(frame, 0) >= 0;
    for (int k = 0; ok && k < frames; ++k) {
        ok = av_frame_make_writable(frame) >= 0;
        std::size_t planeBytes[4] = {};
        const std::ptrdiff_t lineSizes[4] = {frame->linesize[0], frame->linesize[1], frame->linesize[2], frame->linesize[3]};
        ok = ok && av_image_fill_plane_sizes(planeBytes, pixelFormat, height, lineSizes) >= 0;
        for (int p = 0; ok && p < 4 && frame->data[p]; ++p) {
            for (std::size_t i = 0; i < planeBytes[p]; ++i) frame->data[p][i] = static_cast<std::uint8_t>(i * 7 + i / 61 + k * 11 + p * 50);
        }
        frame->pts = k;
        ok = ok && writeFrame(out.format, out.video, videoStream, frame);
    }
    av_frame_free(&frame);
    if (ok && out.audio) {
        AVFrame* sound = av_frame_alloc();
        sound->nb_samples = rate / 10;
        sound->format = AV_SAMPLE_FMT_S16;
        sound->sample_rate = rate;
        av_channel_layout_copy(&sound->ch_layout, &out.audio->ch_layout);
        ok = av_frame_get_buffer(sound, 0) >= 0;
        if (ok) {
            auto* samples = reinterpret_cast<std::int16_t*>(sound->data[0]);
            for (int i = 0; i < sound->nb_samples * channels; ++i) samples[i] = static_cast<std::int16_t>(8000 * std::sin(i * 0.05));
            sound->pts = 0;
            ok = writeFrame(out.format, out.audio, audioStream, sound) && writeFrame(out.format, out.audio, audioStream, nullptr);
        }
        av_frame_free(&sound);
    }
    ok = ok && writeFrame(out.format, out.video, videoStream, nullptr) && av_write_trailer(out.format) >= 0;
    std::uint8_t* bytes = nullptr;
    const int size = avio_close_dyn_buf(out.format->pb, &bytes);
    out.format->pb = nullptr;
    std::vector<std::uint8_t> clip;
    if (ok && size > 0) clip.assign(bytes, bytes + size);
    av_free(bytes);
    return clip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)quiet;
    FuzzedDataProvider in(data, size);
    const auto clip = encodeClip(in);
    if (clip.empty()) return 0;
    egmf::media::DecodeRequest request;
    request.videoFramesPerSecond = egmf::media::kEveryFrame;
    request.maxFrameWidth = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange(1, 1200);
    request.pixelFormat = in.ConsumeBool() ? egmf::media::PixelFormat::Yuv420p : egmf::media::PixelFormat::Rgb24;
    egmf::media::MediaLimits limits;
    limits.openTimeoutMs = 5000;
    auto result = egmf::media::decodeMemory(clip, "structured.clip", request, limits);
    if (!result.ok()) {
        if (result.error().message.find("wrote past") != std::string::npos) __builtin_trap();  // an overrun
        return 0;
    }
    for (const auto& frame : result->frames) {
        const std::size_t pixels = static_cast<std::size_t>(frame.width) * frame.height;
        const std::size_t chroma = static_cast<std::size_t>((frame.width + 1) / 2) * ((frame.height + 1) / 2);
        const std::size_t expected = frame.format == egmf::media::PixelFormat::Rgb24 ? pixels * 3 : pixels + 2 * chroma;
        if (frame.width <= 0 || frame.height <= 0 || frame.pixels.size() != expected) __builtin_trap();
        if (request.maxFrameWidth > 0 && frame.width > request.maxFrameWidth) __builtin_trap();
    }
    return 0;
}
