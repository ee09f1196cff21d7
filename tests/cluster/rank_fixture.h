#pragma once
// What the tests of runs on several ranks share: a MELD-layout dataset of the first dialogues of
// the demo corpus's test split (rendered once, small), `egmf` processes started with a
// launcher's variables, and bundles compared value for value.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "egmf/app/analysis_bundle.h"
#include "egmf/app/launch_environment.h"

namespace egmf::test {

/// Renders the first `dialogues` dialogues of the demo test split (160x120) into
/// `folder`/demo-N; returns it, or empty on failure (with `why` set).
std::filesystem::path renderDemoSubset(const std::filesystem::path& folder, int dialogues, std::string& why);

/// `egmf ARGUMENTS` in the background with extra environment variables; its output to `log`.
class RankProcess {
public:
    RankProcess(const std::string& arguments, const std::map<std::string, std::string>& environment, const std::filesystem::path& log);
    ~RankProcess();
    RankProcess(const RankProcess&) = delete;
    RankProcess& operator=(const RankProcess&) = delete;
    pid_t pid() const { return m_pid; }
    /// Waits for it; its exit code (-1: killed by a signal).
    int wait();
    void kill(int signal);
    std::string log() const;

private:
    pid_t m_pid = -1;
    int m_code = -1;
    std::filesystem::path m_log;
};

/// The torchrun-style variables of rank `rank` of `world` at 127.0.0.1:`port`.
std::map<std::string, std::string> torchrunVariables(int rank, int world, int port);

/// "" when the two bundles hold the same dialogues in the same order with equal results (all but
/// the timings), else the first difference.
std::string bundleDifference(const std::filesystem::path& a, const std::filesystem::path& b);

/// The JSONL lines of a results file without their timings.
std::vector<std::string> linesWithoutTimings(const std::filesystem::path& file);

/// Dialogues written so far into a bundle or part (0 when it cannot be read yet).
int dialoguesIn(const std::filesystem::path& bundle);

}  // namespace egmf::test
