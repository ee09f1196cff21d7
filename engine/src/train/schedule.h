#pragma once
// The learning-rate schedule of every trainer (MODEL.md, Training): linear warm-up to 1, then
// cosine decay to 0, as a factor of the base rate.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace egmf::train {

inline double scheduleFactor(std::int64_t step, std::int64_t total, std::int64_t warmup) {
    if (step < warmup) return static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double progress = static_cast<double>(step - warmup) / static_cast<double>(std::max<std::int64_t>(1, total - warmup));
    return 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

}  // namespace egmf::train
