#include "memory_budget.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>
#include <cstdio>
#include <cstring>

namespace egmf::loading {
namespace {

using GetDevice = int (*)(int*);
using SetDevice = int (*)(int);
using MemGetInfo = int (*)(std::size_t*, std::size_t*);

/// The loaded libcudart's handle: LibTorch's dependency is normally global; otherwise find it
/// among the loaded objects (never load a new one: no CUDA LibTorch means no GPU figure).
void* cudaRuntime() {
    if (::dlsym(RTLD_DEFAULT, "cudaMemGetInfo")) return RTLD_DEFAULT;
    std::string path;
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            if (info->dlpi_name && std::strstr(info->dlpi_name, "libcudart")) {
                *static_cast<std::string*>(out) = info->dlpi_name;
                return 1;
            }
            return 0;
        },
        &path);
    return path.empty() ? nullptr : ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
}

std::string gib(std::int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", static_cast<double>(bytes) / (1LL << 30));
    return text;
}

}  // namespace

std::int64_t physicalMemoryBytes() {
    return static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGE_SIZE);
}

std::optional<std::int64_t> freeGpuMemoryBytes(int index) {
    void* runtime = cudaRuntime();
    if (!runtime) return std::nullopt;
    auto getDevice = reinterpret_cast<GetDevice>(::dlsym(runtime, "cudaGetDevice"));
    auto setDevice = reinterpret_cast<SetDevice>(::dlsym(runtime, "cudaSetDevice"));
    auto memGetInfo = reinterpret_cast<MemGetInfo>(::dlsym(runtime, "cudaMemGetInfo"));
    if (!getDevice || !setDevice || !memGetInfo) return std::nullopt;
    int previous = 0;
    if (getDevice(&previous) != 0 || setDevice(index) != 0) return std::nullopt;
    std::size_t freeBytes = 0, totalBytes = 0;
    const int status = memGetInfo(&freeBytes, &totalBytes);
    setDevice(previous);
    if (status != 0) return std::nullopt;
    return static_cast<std::int64_t>(freeBytes);
}

Result<void> checkFits(std::int64_t needed, std::int64_t available, const std::string& where, const std::string& what,
                       const std::string& advice) {
    if (needed <= available / 10 * 8) return {};
    return makeError(ErrorCode::Unsupported, where + ": this checkpoint needs about " + gib(needed) + " GiB, more than 80% of " + what +
                                                 " (" + gib(available) + " GiB); " + advice);
}

}  // namespace egmf::loading
