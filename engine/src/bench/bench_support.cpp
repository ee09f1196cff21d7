#include "egmf/bench/bench_support.h"
#include "egmf/paths.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace egmf::bench {

Result<WorkDir> WorkDir::create(const std::filesystem::path& requested, const std::string& prefix) {
    if (!requested.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(requested, ec);
        if (ec) {
            return makeError(ErrorCode::Io, requested.string() + ": cannot create (" + ec.message() + ")");
        }
        return WorkDir(requested, false);
    }
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
        return makeError(ErrorCode::Io, pattern + ": cannot create a scratch folder; check the temp dir");
    }
    return WorkDir(pattern, true);
}

WorkDir::~WorkDir() {
    if (m_owned) {
        removeTree(m_path);
    }
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double peakRssMiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    }
    return 0;
}

}  // namespace egmf::bench
