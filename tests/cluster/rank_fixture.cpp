#include "rank_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "../app/cli_run.h"
#include "../engine/test_support.h"

namespace egmf::test {

namespace fs = std::filesystem;

fs::path renderDemoSubset(const fs::path& folder, int dialogues, std::string& why) {
    const auto subset = folder / ("demo-" + std::to_string(dialogues));
    const auto made = egmf("make-demo --out '" + subset.string() + "' --split test --dialogues " + std::to_string(dialogues) +
                           " --width 160 --height 120");
    if (made.code != 0) {
        why = made.output;
        return {};
    }
    return subset;
}

RankProcess::RankProcess(const std::string& arguments, const std::map<std::string, std::string>& environment, const fs::path& log)
    : m_log(log) {
    m_pid = ::fork();
    if (m_pid == 0) {
        for (const auto& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
        const auto command = "exec '" + (binaryDir() / "bin" / "egmf").string() + "' " + arguments + " >'" + log.string() + "' 2>&1";
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
}

RankProcess::~RankProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        wait();
    }
}

int RankProcess::wait() {
    if (m_pid <= 0) return m_code;
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    m_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return m_code;
}

void RankProcess::kill(int signal) {
    if (m_pid > 0) ::kill(m_pid, signal);
}

std::string RankProcess::log() const {
    std::ifstream in(m_log);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::map<std::string, std::string> torchrunVariables(int rank, int world, int port) {
    return {{"RANK", std::to_string(rank)},
            {"WORLD_SIZE", std::to_string(world)},
            {"LOCAL_RANK", std::to_string(rank)},
            {"MASTER_ADDR", "127.0.0.1"},
            {"MASTER_PORT", std::to_string(port)}};
}

namespace {

std::string matrixDifference(const Matrix& a, const Matrix& b, const std::string& what) {
    if (a.shape != b.shape) return what + ": shapes differ";
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        if (a.values[i] != b.values[i])
            return what + "[" + std::to_string(i) + "]: " + std::to_string(a.values[i]) + " vs " + std::to_string(b.values[i]);
    }
    return "";
}

}  // namespace

std::string bundleDifference(const fs::path& a, const fs::path& b) {
    auto left = bundle::read(a), right = bundle::read(b);
    if (!left.ok()) return left.error().message;
    if (!right.ok()) return right.error().message;
    if (left->dialogueOrder != right->dialogueOrder) return "the dialogues or their order differ";
    if (!left->complete || !right->complete) return "not both complete";
    for (const auto& id : left->dialogueOrder) {
        const auto &x = left->dialogues.at(id), &y = right->dialogues.at(id);
        if (x.utterances.size() != y.utterances.size()) return id + ": utterance counts differ";
        for (std::size_t i = 0; i < x.utterances.size(); ++i) {
            const auto &u = x.utterances[i], &v = y.utterances[i];
            const auto where = id + " utterance " + std::to_string(i);
            if (u.prediction != v.prediction || u.generated != v.generated || u.probabilities != v.probabilities ||
                u.labelLogProbs != v.labelLogProbs || u.error != v.error || u.tokenIds != v.tokenIds) {
                return where + ": prediction, generation, probabilities, tokens or error differ";
            }
            for (const auto& d : {matrixDifference(u.attention.textToAv, v.attention.textToAv, where + " textToAv"),
                                  matrixDifference(u.attention.avToText, v.attention.avToText, where + " avToText"),
                                  matrixDifference(u.gates.gates, v.gates.gates, where + " gates"),
                                  matrixDifference(u.gates.featureGates, v.gates.featureGates, where + " feature gates"),
                                  matrixDifference(u.gates.contextGates, v.gates.contextGates, where + " context gates")}) {
                if (!d.empty()) return d;
            }
            if (u.gates.alpha != v.gates.alpha) return where + ": alpha differs";
        }
    }
    return "";
}

std::vector<std::string> linesWithoutTimings(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string text; std::getline(in, text);) {
        auto line = nlohmann::json::parse(text, nullptr, false);
        if (line.is_discarded()) {
            lines.push_back("unreadable: " + text);
            continue;
        }
        line.erase("timings");
        lines.push_back(line.dump());
    }
    return lines;
}

int dialoguesIn(const fs::path& bundle) {
    auto contents = bundle::read(bundle);
    return contents.ok() ? static_cast<int>(contents->dialogues.size()) : 0;
}

}  // namespace egmf::test
