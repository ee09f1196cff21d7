#include "weight_conversion.h"

#include <sys/mman.h>

#include <cstring>

#include <ATen/Parallel.h>

namespace egmf::loading {
namespace {

constexpr std::size_t kHugePage = 2 << 20;
constexpr std::size_t kHugeWorthwhile = 16 << 20;  // below this the page faults do not matter

/// Asks the kernel to fault `bytes` at `address` in now, in one call (Linux >= 5.14; else nothing).
void populate(const void* address, std::size_t bytes, bool forWriting) {
#ifdef MADV_POPULATE_READ
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(address) & ~(page - 1);
    const auto end = reinterpret_cast<std::uintptr_t>(address) + bytes;
    ::madvise(reinterpret_cast<void*>(begin), end - begin, forWriting ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
#else
    (void)address, (void)bytes, (void)forWriting;
#endif
}

/// An uninitialised float32 CPU tensor; large ones in transparent huge pages, populated.
at::Tensor emptyFloat(at::IntArrayRef shape, std::size_t bytes) {
    if (bytes < kHugeWorthwhile) return at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    const std::size_t reserved = (bytes + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
    void* mapping = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) return at::empty(shape, at::TensorOptions().dtype(at::kFloat));
    auto* start = reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(mapping) + kHugePage - 1) & ~(kHugePage - 1));
    ::madvise(start, reserved - kHugePage, MADV_HUGEPAGE);
    populate(start, bytes, true);
    return at::from_blob(
        start, shape, [mapping, reserved](void*) { ::munmap(mapping, reserved); }, at::TensorOptions().dtype(at::kFloat));
}

// O3 for this one loop: GCC's -O2 cost model leaves it scalar.
__attribute__((optimize("O3"))) void shiftToFloat(const std::uint16_t* from, std::uint32_t* to, std::int64_t count) {
    for (std::int64_t i = 0; i < count; ++i) to[i] = static_cast<std::uint32_t>(from[i]) << 16;
}

}  // namespace

at::Tensor bfloat16ToFloat(const TensorEntry& entry) {
    const auto count = static_cast<std::int64_t>(entry.byteSize() / 2);
    auto out = emptyFloat(entry.shape, static_cast<std::size_t>(count) * 4);
    if (count == 0) return out;
    auto* to = static_cast<std::uint32_t*>(out.data_ptr());
    const auto* bytes = entry.bytes.data();
    populate(bytes, entry.byteSize(), false);
    const bool aligned = reinterpret_cast<std::uintptr_t>(bytes) % 2 == 0;
    at::parallel_for(0, count, 1 << 20, [&](std::int64_t begin, std::int64_t end) {
        if (aligned) {
            shiftToFloat(reinterpret_cast<const std::uint16_t*>(bytes) + begin, to + begin, end - begin);
            return;
        }
        for (std::int64_t i = begin; i < end; ++i) {  // a mapping at an odd offset: byte copies
            std::uint16_t half;
            std::memcpy(&half, bytes + 2 * i, 2);
            to[i] = static_cast<std::uint32_t>(half) << 16;
        }
    });
    return out;
}

}  // namespace egmf::loading
