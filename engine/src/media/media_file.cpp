#include "egmf/app/media_file.h"

#include <mutex>

#include "clip_decoder.h"
#include "memory_input.h"

extern "C" {
#include <libavutil/mem.h>
}

namespace egmf::media {
namespace {

// FFmpeg polls this during blocking I/O and long probes; returning 1 aborts the call.
int interruptWhenLate(void* opaque) {
    return Clock::now() > *static_cast<Clock::time_point*>(opaque) ? 1 : 0;
}

Result<DecodeResult> decode(const std::string& name, AVIOContext* io, const char* url, const DecodeRequest& request,
                            const MediaLimits& limits) {
    if ((request.videoFramesPerSecond < 0 && request.videoFramesPerSecond != kEveryFrame) || request.audioSampleRateHz <= 0 ||
        request.startSec < 0 || (request.endSec != 0 && request.endSec <= request.startSec) || !std::isfinite(request.startSec) ||
        !std::isfinite(request.endSec)) {
        return makeError(ErrorCode::InvalidArgument, name + ": invalid decode request");
    }
    // A hostile header can make a demuxer ask for gigabytes in one block (fuzz_media found a 3.7 KB
    // MP4 whose sample table asked av_malloc for 2.1 GB). FFmpeg's own cap on one allocation
    // (process-wide) turns that into an ENOMEM error; no real clip needs a 256 MB block.
    static std::once_flag capped;
    std::call_once(capped, [] { av_max_alloc(256u << 20); });
    installFfmpegLog();
    ClipLog log(name);
    ClipLogScope onThisThread(log);
    auto deadline = Clock::now() + std::chrono::milliseconds(limits.openTimeoutMs);
    AVFormatContext* raw = avformat_alloc_context();
    if (!raw) {
        return makeError(ErrorCode::Internal, name + ": out of memory");
    }
    log.watch(raw);
    raw->interrupt_callback = {interruptWhenLate, &deadline};
    if (io) {
        raw->pb = io;
        raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    AVDictionary* options = nullptr;
    av_dict_set_int(&options, "probesize", limits.probeSizeBytes, 0);
    av_dict_set_int(&options, "analyzeduration", 5'000'000, 0);
    const int r = avformat_open_input(&raw, url, nullptr, &options);  // frees raw on failure
    av_dict_free(&options);
    if (r < 0) {
        const bool missing = r == AVERROR(ENOENT);
        return makeError(
            missing ? ErrorCode::NotFound : ErrorCode::Corrupt,
            name + (missing ? ": no such file; check the dataset folder"
                            : ": not a media file FFmpeg can read (" + avErrorText(r) + "); the clip is damaged or in an unknown format"));
    }
    FormatContextPtr format(raw);
    ClipDecoder decoder(name, request, limits, &deadline, log);
    auto result = decoder.run(format.get());
    if (result) {
        for (auto& line : log.take()) result->warnings.push_back(std::move(line));
    }
    return result;
}

}  // namespace

const std::uint8_t* VideoFrame::plane(int index, int* stride) const {
    const bool yuv = format == PixelFormat::Yuv420p;
    const int chromaWidth = (width + 1) / 2;
    const std::size_t lumaSize = static_cast<std::size_t>(width) * height;
    const std::size_t chromaSize = static_cast<std::size_t>(chromaWidth) * ((height + 1) / 2);
    if (index < 0 || index > (yuv ? 2 : 0) || pixels.empty()) return nullptr;
    if (stride) *stride = index == 0 ? (yuv ? width : width * 3) : chromaWidth;
    return pixels.data() + (index == 0 ? 0 : lumaSize + (index - 1) * chromaSize);
}

Result<StreamInfo> probeClip(const std::filesystem::path& path, const MediaLimits& limits) {
    DecodeRequest request;
    request.audio = true;
    request.videoFramesPerSecond = 1.0;  // opens the video decoder too: its size and codec are checked
    request.probeOnly = true;
    auto decoded = decode(path.string(), nullptr, path.c_str(), request, limits);
    if (!decoded.ok()) return decoded.error();
    return decoded->info;
}

Result<DecodeResult> decodeClip(const std::filesystem::path& path, const DecodeRequest& request, const MediaLimits& limits) {
    return decode(path.string(), nullptr, path.c_str(), request, limits);
}

Result<DecodeResult> decodeMemory(const std::vector<std::uint8_t>& bytes, const std::string& name, const DecodeRequest& request,
                                  const MediaLimits& limits) {
    constexpr int kBufferSize = 1 << 16;
    MemoryInput input{&bytes, 0};
    auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
    if (!buffer) {
        return makeError(ErrorCode::Internal, name + ": out of memory");
    }
    std::unique_ptr<AVIOContext, AvioDeleter> io(
        avio_alloc_context(buffer, kBufferSize, 0, &input, &MemoryInput::read, nullptr, &MemoryInput::seek));
    if (!io) {
        av_free(buffer);
        return makeError(ErrorCode::Internal, name + ": out of memory");
    }
    return decode(name, io.get(), nullptr, request, limits);
}

}  // namespace egmf::media
