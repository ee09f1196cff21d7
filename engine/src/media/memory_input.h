#pragma once
// Custom FFmpeg I/O over bytes in memory (the fuzzer; clips inside archives later).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "av_ptr.h"

namespace egmf::media {

struct MemoryInput {
    const std::vector<std::uint8_t>* bytes = nullptr;
    std::int64_t position = 0;

    static int read(void* opaque, std::uint8_t* buffer, int size) {
        auto* self = static_cast<MemoryInput*>(opaque);
        const auto left = static_cast<std::int64_t>(self->bytes->size()) - self->position;
        if (left <= 0) {
            return AVERROR_EOF;
        }
        const auto count = static_cast<int>(std::min<std::int64_t>(left, size));
        std::memcpy(buffer, self->bytes->data() + self->position, static_cast<std::size_t>(count));
        self->position += count;
        return count;
    }
    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* self = static_cast<MemoryInput*>(opaque);
        const auto size = static_cast<std::int64_t>(self->bytes->size());
        if (whence == AVSEEK_SIZE) {
            return size;
        }
        std::int64_t target = offset;
        switch (whence & ~AVSEEK_FORCE) {
            case SEEK_SET:
                break;
            case SEEK_CUR:
                target = self->position + offset;
                break;
            case SEEK_END:
                target = size + offset;
                break;
            default:
                return AVERROR(EINVAL);
        }
        if (target < 0 || target > size) {
            return AVERROR(EINVAL);
        }
        self->position = target;
        return target;
    }
};

struct AvioDeleter {
    void operator()(AVIOContext* io) const {
        if (io) {
            av_freep(&io->buffer);
        }
        avio_context_free(&io);
    }
};

}  // namespace egmf::media
