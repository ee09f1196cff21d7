#pragma once
// Running a helper program (espeak-ng, ffmpeg) without a shell: arguments are passed as they are,
// so text with quotes or dollars needs no escaping. Optionally feeds the child's stdin.

#include <functional>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf {

struct ProcessOutcome {
    int exitCode = -1;   ///< -1 when it did not exit normally
    std::string output;  ///< stdout and stderr together (the last 64 KiB)
};

/// Runs argv[0] (looked up in PATH). `feed`, when given, writes to the child's stdin and returns
/// false to stop early; stdin is closed after it. An error only when the program cannot start.
Result<ProcessOutcome> runProcess(const std::vector<std::string>& argv, const std::function<bool(int stdinFd)>& feed = {});

/// This program's own file (from /proc/self/exe), to start it again; empty when unknown.
std::string executablePath();

/// Writes all of `bytes` to `fd`; false when the reader went away.
bool writeAll(int fd, const void* bytes, std::size_t size);

}  // namespace egmf
