#include "clip_fixture.h"

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>

namespace egmf::test {

namespace fs = std::filesystem;

ClipFolder::ClipFolder(const std::string& prefix) : m_dir(fs::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()))) {
    fs::create_directories(m_dir);
}

ClipFolder::~ClipFolder() {
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

std::string ClipFolder::expand(const std::string& arguments) const {
    std::string out;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const auto close = arguments.find('}', i);
        if (arguments[i] == '{' && close != std::string::npos) {
            out += "'" + (m_dir / arguments.substr(i + 1, close - i - 1)).string() + "'";
            i = close;
        } else {
            out += arguments[i];
        }
    }
    return out;
}

bool ClipFolder::ffmpeg(const std::string& arguments) const {
    const auto command = "ffmpeg -hide_banner -loglevel error -y " + expand(arguments);
    if (std::system(command.c_str()) == 0) return true;
    std::fprintf(stderr, "failed: %s (scripts/setup.sh installs ffmpeg)\n", command.c_str());
    return false;
}

std::vector<std::uint8_t> ClipFolder::cliFirstFrame(const std::string& clip, const std::string& filters) const {
    const std::string name = clip + ".cli.rgb";
    if (!ffmpeg("-i {" + clip + "} " + (filters.empty() ? "" : "-vf " + filters + " ") + "-frames:v 1 -f rawvideo -pix_fmt rgb24 {" + name +
                "}")) {
        return {};
    }
    return read(name);
}

std::vector<std::uint8_t> ClipFolder::read(const std::string& name) const {
    std::ifstream in(m_dir / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

double meanAbsoluteDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    if (a.size() != b.size() || a.empty()) return std::numeric_limits<double>::infinity();
    double total = 0;
    for (std::size_t i = 0; i < a.size(); ++i) total += std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
    return total / static_cast<double>(a.size());
}

}  // namespace egmf::test
