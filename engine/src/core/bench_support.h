#pragma once
// Small helpers the benchmarks share: a scratch folder and the median of timings.

#include <filesystem>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::bench {

/// A new folder under the system temp dir, named <prefix>-XXXXXX.
Result<std::filesystem::path> makeScratchDir(const std::string& prefix);

/// The median (the mean of the middle two for an even count); 0 for no values.
double median(std::vector<double> values);

}  // namespace egmf::bench
