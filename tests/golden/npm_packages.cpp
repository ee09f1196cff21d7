#include "npm_packages.h"

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include "../engine/test_support.h"

namespace egmf::test {

std::string shellQuote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

int runCommand(const std::string& command) {
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CommandOutput runCapturing(const std::string& command) {
    CommandOutput result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) {
        std::string line = buffer.data();
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        result.lines.push_back(std::move(line));
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

NpmInstall installNpmPackages(const std::string& cacheName, const std::vector<std::string>& packages) {
    std::string command = shellQuote(test::sourceDir().string() + "/tests/golden/npm_fetch.sh") + " " + shellQuote(cacheName);
    for (const auto& package : packages) {
        command += " " + shellQuote(package);
    }
    const auto ran = runCapturing(command + " 2>&1");
    NpmInstall result;
    std::string output;
    for (const auto& line : ran.lines) output += (output.empty() ? "" : "\n") + line;
    if (ran.status == 0) {
        result.folder = ran.lines.empty() ? std::string() : ran.lines.back();  // the script prints the folder last
    } else if (ran.status == 77) {
        result.skipReason = "reference packages unavailable: " + output;
    } else {
        result.failure = "installing the reference packages failed: " + output;
    }
    return result;
}

}  // namespace egmf::test
