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

NpmInstall installNpmPackages(const std::string& cacheName, const std::vector<std::string>& packages) {
    std::string command = shellQuote(test::sourceDir().string() + "/tests/golden/npm_fetch.sh") + " " + shellQuote(cacheName);
    for (const auto& package : packages) {
        command += " " + shellQuote(package);
    }
    command += " 2>&1";
    NpmInstall result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
        result.failure = "cannot run " + command;
        return result;
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) {
        output += buffer.data();
    }
    const int status = ::pclose(pipe);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
        output.pop_back();
    }
    if (code == 0) {
        result.folder = output.substr(output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1);
    } else if (code == 77) {
        result.skipReason = "reference packages unavailable: " + output;
    } else {
        result.failure = "installing the reference packages failed: " + output;
    }
    return result;
}

}  // namespace egmf::test
