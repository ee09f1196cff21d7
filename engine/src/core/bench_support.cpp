#include "bench_support.h"

#include <algorithm>
#include <cstdlib>

namespace egmf::bench {

Result<std::filesystem::path> makeScratchDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
        return makeError(ErrorCode::Io, pattern + ": cannot create a scratch folder; check the temp dir");
    }
    return std::filesystem::path(pattern);
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace egmf::bench
