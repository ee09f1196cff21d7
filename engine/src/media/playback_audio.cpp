// The player's audio: a whole clip decoded at the output device's rate, and changed in tempo by
// libavfilter's atempo (WSOLA: same pitch) for 0.5-2x playback.
#include <cmath>
#include <cstdint>  // before FFmpeg's headers: they need UINT64_C
#include <cstring>

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

#include "av_ptr.h"
#include "egmf/app/media_file.h"
#include "egmf/playback.h"

namespace egmf {
namespace {

struct GraphDeleter {
    void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
struct InOutDeleter {
    void operator()(AVFilterInOut* io) const { avfilter_inout_free(&io); }
};

Error tempoError(const std::string& what, int code) {
    return makeError(ErrorCode::Internal, "changing the audio's tempo: " + what + " (" + media::avErrorText(code) + ")");
}

}  // namespace

Result<std::vector<float>> changeTempo(const std::vector<float>& samples, int sampleRateHz, double tempo) {
    if (!(tempo >= 0.5 && tempo <= 2.0) || sampleRateHz <= 0) {
        return makeError(ErrorCode::InvalidArgument, "playback speed must be 0.5-2 (got " + std::to_string(tempo) + ")");
    }
    if (std::abs(tempo - 1.0) < 1e-9 || samples.empty()) return samples;
    std::unique_ptr<AVFilterGraph, GraphDeleter> graph(avfilter_graph_alloc());
    if (!graph) return makeError(ErrorCode::Internal, "out of memory");
    const std::string source = "time_base=1/" + std::to_string(sampleRateHz) + ":sample_rate=" + std::to_string(sampleRateHz) +
                               ":sample_fmt=flt:channel_layout=mono";
    AVFilterContext *input = nullptr, *output = nullptr;
    if (int r = avfilter_graph_create_filter(&input, avfilter_get_by_name("abuffer"), "in", source.c_str(), nullptr, graph.get()); r < 0) {
        return tempoError("abuffer", r);
    }
    if (int r = avfilter_graph_create_filter(&output, avfilter_get_by_name("abuffersink"), "out", nullptr, nullptr, graph.get()); r < 0) {
        return tempoError("abuffersink", r);
    }
    // The graph's open ends: "in" feeds the chain, the chain feeds "out".
    std::unique_ptr<AVFilterInOut, InOutDeleter> outputs(avfilter_inout_alloc()), inputs(avfilter_inout_alloc());
    if (!outputs || !inputs) return makeError(ErrorCode::Internal, "out of memory");
    outputs->name = av_strdup("in");
    outputs->filter_ctx = input;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = output;
    char chain[96];
    std::snprintf(chain, sizeof chain, "atempo=%.6f,aformat=sample_fmts=flt:channel_layouts=mono", tempo);
    AVFilterInOut *in = inputs.release(), *out = outputs.release();
    const int parsed = avfilter_graph_parse_ptr(graph.get(), chain, &in, &out, nullptr);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    if (parsed < 0) return tempoError("atempo", parsed);
    if (int r = avfilter_graph_config(graph.get(), nullptr); r < 0) return tempoError("configuring the filters", r);

    media::FramePtr frame(av_frame_alloc());
    if (!frame) return makeError(ErrorCode::Internal, "out of memory");
    constexpr std::size_t kChunk = 4096;
    std::vector<float> stretched;
    stretched.reserve(static_cast<std::size_t>(static_cast<double>(samples.size()) / tempo) + kChunk);
    const auto drain = [&]() -> Result<void> {
        while (true) {
            const int r = av_buffersink_get_frame(output, frame.get());
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return {};
            if (r < 0) return tempoError("reading the filtered audio", r);
            const auto* data = reinterpret_cast<const float*>(frame->extended_data[0]);
            stretched.insert(stretched.end(), data, data + frame->nb_samples);
            av_frame_unref(frame.get());
        }
    };
    for (std::size_t at = 0; at < samples.size(); at += kChunk) {
        const auto count = std::min(kChunk, samples.size() - at);
        frame->format = AV_SAMPLE_FMT_FLT;
        frame->sample_rate = sampleRateHz;
        av_channel_layout_default(&frame->ch_layout, 1);
        frame->nb_samples = static_cast<int>(count);
        frame->pts = static_cast<std::int64_t>(at);
        if (int r = av_frame_get_buffer(frame.get(), 0); r < 0) return tempoError("allocating audio", r);
        std::memcpy(frame->extended_data[0], samples.data() + at, count * sizeof(float));
        if (int r = av_buffersrc_add_frame(input, frame.get()); r < 0) return tempoError("feeding the filter", r);
        av_frame_unref(frame.get());
        if (auto drained = drain(); !drained) return drained.error();
    }
    if (int r = av_buffersrc_add_frame(input, nullptr); r < 0) return tempoError("flushing the filter", r);
    if (auto drained = drain(); !drained) return drained.error();
    return stretched;
}

Result<PlaybackAudio> decodePlaybackAudio(const std::filesystem::path& path, int sampleRateHz, double tempo) {
    media::DecodeRequest request;
    request.audio = true;
    request.audioSampleRateHz = sampleRateHz;
    request.videoFramesPerSecond = 0;
    request.decoderThreads = 1;
    auto decoded = media::decodeClip(path, request);
    if (!decoded) return decoded.error();
    PlaybackAudio audio;
    audio.sampleRateHz = sampleRateHz;
    auto stretched = changeTempo(decoded->audio.samples, sampleRateHz, tempo);
    if (!stretched) return makeError(stretched.error().code, path.string() + ": " + stretched.error().message);
    audio.samples = std::move(*stretched);
    return audio;
}

Result<ClipInfo> probeClipInfo(const std::filesystem::path& path) {
    auto probed = media::probeClip(path);
    if (!probed) return probed.error();
    ClipInfo info;
    info.durationSec = probed->durationSec;
    info.hasAudio = probed->hasAudio;
    info.hasVideo = probed->hasVideo;
    info.width = probed->width;
    info.height = probed->height;
    info.framesPerSecond = probed->videoFramesPerSecond;
    return info;
}

}  // namespace egmf
