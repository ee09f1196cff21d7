// Any bytes given to the clip decoder: a DecodeResult or an Error, never a crash, a hang or an
// out-of-bounds access in our code (ASan; FFmpeg itself is Debian's build, not instrumented).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "egmf/app/media_file.h"

extern "C" {
#include <libavutil/log.h>
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)quiet;
    const std::vector<std::uint8_t> bytes(data, data + size);
    egmf::media::DecodeRequest request;
    request.videoFramesPerSecond = 4.0;
    request.maxFrameWidth = 64;
    egmf::media::MediaLimits limits;
    limits.openTimeoutMs = 2000;
    limits.maxPixels = 1024 * 1024;
    limits.maxDecodedSeconds = 5.0;
    auto result = egmf::media::decodeMemory(bytes, "fuzz.clip", request, limits);
    if (result.ok()) {
        for (const auto& frame : result->frames) {
            if (frame.pixels.size() != static_cast<std::size_t>(frame.width) * frame.height * 3) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
