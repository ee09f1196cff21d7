#pragma once
// How much memory a load may take (refuse what would take more than 80% of the RAM on
// the CPU, or of the free memory of the GPU). The free GPU memory comes from the CUDA runtime that
// a CUDA LibTorch has already loaded, found at run time, so this file needs no CUDA headers and
// builds the same against a CPU-only LibTorch (where there is simply no GPU figure).

#include <cstdint>
#include <optional>
#include <string>

#include "egmf/result.h"

namespace egmf::loading {

std::int64_t physicalMemoryBytes();

/// Free bytes on CUDA device `index`; nullopt without a CUDA runtime in the process or a GPU.
std::optional<std::int64_t> freeGpuMemoryBytes(int index);

/// An error when `needed` exceeds 80% of `available`: "<where>: this checkpoint needs about N GiB,
/// more than 80% of <what> (M GiB); <advice>".
Result<void> checkFits(std::int64_t needed, std::int64_t available, const std::string& where, const std::string& what,
                       const std::string& advice);

}  // namespace egmf::loading
