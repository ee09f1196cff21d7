#include "egmf/app/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace egmf {

bool writeAll(int fd, const void* bytes, std::size_t size) {
    const auto* p = static_cast<const char*>(bytes);
    while (size > 0) {
        const auto n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

Result<ProcessOutcome> runProcess(const std::vector<std::string>& argv, const std::function<bool(int)>& feed) {
    if (argv.empty()) return makeError(ErrorCode::InvalidArgument, "runProcess: no program");
    int input[2] = {-1, -1}, output[2] = {-1, -1};
    if ((feed && ::pipe2(input, O_CLOEXEC) != 0) || ::pipe2(output, O_CLOEXEC) != 0) {
        return makeError(ErrorCode::Io, argv[0] + ": cannot create a pipe (" + std::strerror(errno) + ")");
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // posix_spawn, not fork: the callers link LibTorch, and copying their page tables for every
    // helper costs more than the helper.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (feed)
        posix_spawn_file_actions_adddup2(&actions, input[0], 0);
    else
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output[1], 1);
    posix_spawn_file_actions_adddup2(&actions, output[1], 2);
    pid_t child = -1;
    const int spawned = ::posix_spawnp(&child, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        for (int fd : {input[0], input[1], output[0], output[1]}) {
            if (fd >= 0) ::close(fd);
        }
        if (spawned == ENOENT) return makeError(ErrorCode::NotFound, argv[0] + " is not installed; scripts/setup.sh installs it");
        return makeError(ErrorCode::Io, argv[0] + ": cannot start (" + std::strerror(spawned) + ")");
    }
    ::close(output[1]);
    // Collect output on a thread while feeding stdin, so neither side can block the other.
    ProcessOutcome outcome;
    std::thread reader([&] {
        char buffer[4096];
        for (ssize_t n; (n = ::read(output[0], buffer, sizeof buffer)) != 0;) {
            if (n < 0) {
                if (errno == EINTR) continue;
                break;
            }
            outcome.output.append(buffer, static_cast<std::size_t>(n));
            if (outcome.output.size() > (128u << 10)) outcome.output.erase(0, outcome.output.size() - (64u << 10));
        }
    });
    if (feed) {
        ::close(input[0]);
        // A reader that exits early must not kill us with SIGPIPE: block it on this thread only
        // (write's SIGPIPE goes to the writing thread), so write fails with EPIPE; then drop any
        // pending one before unblocking.
        sigset_t pipeSignal, previous;
        sigemptyset(&pipeSignal);
        sigaddset(&pipeSignal, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous);
        feed(input[1]);
        ::close(input[1]);
        sigset_t pending;
        if (::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
            const timespec now{0, 0};
            ::sigtimedwait(&pipeSignal, nullptr, &now);
        }
        ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    }
    reader.join();
    ::close(output[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    outcome.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

std::string executablePath() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) return {};
    // Replaced while running (a rebuild, a package upgrade): the link names the old file with a
    // suffix; the file now at that path is its successor, which is what a new process should run.
    constexpr std::string_view kReplaced = " (deleted)";
    if (exe.ends_with(kReplaced) && !std::filesystem::exists(exe)) exe.resize(exe.size() - kReplaced.size());
    return exe;
}

}  // namespace egmf
