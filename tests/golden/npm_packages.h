#pragma once
// Pinned npm packages for reference tests, installed at test time into a cache by
// tests/golden/npm_fetch.sh. When npm or the registry is unavailable the caller skips with the
// reason (GTEST_SKIP), so an offline run says so instead of passing silently.

#include <optional>
#include <string>
#include <vector>

namespace egmf::test {

struct NpmInstall {
    std::optional<std::string> folder;  ///< holds node_modules/; empty when unavailable
    std::string skipReason;             ///< why, when the registry or npm is missing
    std::string failure;                ///< a real failure (the install broke): the test fails
};

NpmInstall installNpmPackages(const std::string& cacheName, const std::vector<std::string>& packages);

/// Runs `command` through the shell; the exit status (or -1).
int runCommand(const std::string& command);

/// Runs `command` through the shell; its exit status (or -1) and its standard output's lines.
struct CommandOutput {
    int status = -1;
    std::vector<std::string> lines;
};
CommandOutput runCapturing(const std::string& command);

/// Single-quotes for the shell.
std::string shellQuote(const std::string& text);

}  // namespace egmf::test
