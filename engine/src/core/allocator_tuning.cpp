#include "allocator_tuning.h"

#include <malloc.h>

#include <mutex>

namespace egmf {

void tuneAllocatorForInference() {
    static std::once_flag once;
    std::call_once(once, [] {
        constexpr int kMmapThresholdBytes = 64 << 20;
        constexpr int kTrimThresholdBytes = 512 << 20;
        ::mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
        ::mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
    });
}

}  // namespace egmf
