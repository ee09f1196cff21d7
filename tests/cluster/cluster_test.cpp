// The torch-free parts of running on several ranks: the launchers' variables, Slurm's host lists
// (against Slurm's own `scontrol show hostnames` where Slurm is installed), the sbatch script (bash
// parses it, and each word comes back from the shell as it went in), and shared work over an
// in-memory store with ranks as threads, one of them dying mid-item.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/app/launch_environment.h"
#include "egmf/app/sbatch_script.h"
#include "egmf/app/shared_work.h"

namespace egmf::cluster {
namespace {

using namespace std::chrono_literals;

EnvironmentLookup fake(std::map<std::string, std::string> variables) {
    auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(variables));
    return [shared](const char* name) -> const char* {
        const auto found = shared->find(name);
        return found == shared->end() ? nullptr : found->second.c_str();
    };
}

std::string commandOutput(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        std::array<char, 4096> buffer{};
        while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
        ::pclose(pipe);
    }
    return out;
}

TEST(LaunchEnvironment, noneSet_isASingleRun) {
    auto launch = readLaunchEnvironment(fake({}));
    ASSERT_TRUE(launch.ok());
    EXPECT_FALSE(launch->distributed());
    EXPECT_EQ(launch->rank, 0);
    EXPECT_EQ(launch->describe(), "a single process");
}

TEST(LaunchEnvironment, torchrun_readsItsFiveVariables_andItsAgentStore) {
    auto launch = readLaunchEnvironment(
        fake({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "gpu01"}, {"MASTER_PORT", "29400"}}));
    ASSERT_TRUE(launch.ok()) << launch.error().message;
    EXPECT_EQ(launch->launcher, "torchrun");
    EXPECT_EQ(launch->rank, 3);
    EXPECT_EQ(launch->world, 8);
    EXPECT_EQ(launch->localRank, 1);
    EXPECT_EQ(launch->masterAddr, "gpu01");
    EXPECT_EQ(launch->masterPort, 29400);
    EXPECT_FALSE(launch->storeHostedByLauncher);
    auto agent = readLaunchEnvironment(fake({{"RANK", "0"},
                                             {"WORLD_SIZE", "2"},
                                             {"MASTER_ADDR", "h"},
                                             {"MASTER_PORT", "1"},
                                             {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                             {"TORCHELASTIC_RESTART_COUNT", "2"}}));
    ASSERT_TRUE(agent.ok());
    EXPECT_TRUE(agent->storeHostedByLauncher);
    EXPECT_EQ(agent->storePrefix, "egmf/2/");
}

TEST(LaunchEnvironment, slurm_takesTheFirstHostOfTheStep_andAPortFromTheJob) {
    const std::map<std::string, std::string> step = {
        {"SLURM_PROCID", "1"},  {"SLURM_NTASKS", "4"},    {"SLURM_STEP_NUM_TASKS", "2"},    {"SLURM_LOCALID", "1"},
        {"SLURM_STEP_ID", "0"}, {"SLURM_JOB_ID", "4242"}, {"SLURM_JOB_NODELIST", "c[7-9]"}, {"SLURM_STEP_NODELIST", "node[04-05]"}};
    auto launch = readLaunchEnvironment(fake(step));
    ASSERT_TRUE(launch.ok()) << launch.error().message;
    EXPECT_EQ(launch->launcher, "slurm");
    EXPECT_EQ(launch->rank, 1);
    EXPECT_EQ(launch->world, 2) << "the step's tasks, not the allocation's";
    EXPECT_EQ(launch->localRank, 1);
    EXPECT_EQ(launch->masterAddr, "node04");
    EXPECT_GE(launch->masterPort, 15000);
    EXPECT_LT(launch->masterPort, 35000);
    auto again = readLaunchEnvironment(fake(step));
    EXPECT_EQ(again->masterPort, launch->masterPort) << "every rank derives the same port";
    auto withPort = step;
    withPort["MASTER_PORT"] = "23456";
    EXPECT_EQ(readLaunchEnvironment(fake(withPort))->masterPort, 23456);
    // The batch script itself (no srun step) is one process.
    auto batch = readLaunchEnvironment(fake({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "a"}}));
    ASSERT_TRUE(batch.ok());
    EXPECT_FALSE(batch->distributed());
}

TEST(LaunchEnvironment, openMpi_needsTheMasterFromAFlagOrMASTER_ADDR) {
    const std::map<std::string, std::string> mpi = {
        {"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}};
    auto missing = readLaunchEnvironment(fake(mpi));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("--master-addr"), std::string::npos) << missing.error().message;
    auto flagged = readLaunchEnvironment(fake(mpi), {"head", 0});
    ASSERT_TRUE(flagged.ok()) << flagged.error().message;
    EXPECT_EQ(flagged->launcher, "open mpi");
    EXPECT_EQ(flagged->masterAddr, "head");
    EXPECT_EQ(flagged->masterPort, 29500);
    auto both = mpi;
    both["MASTER_ADDR"] = "env-head";
    EXPECT_EQ(readLaunchEnvironment(fake(both), {"flag-head", 1234})->masterAddr, "flag-head") << "the flag wins";
}

TEST(LaunchEnvironment, nonsense_isRefused_namingTheVariable) {
    const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
        {{{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "RANK"},
        {{{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "outside WORLD_SIZE"},
        {{{"RANK", "0"}, {"WORLD_SIZE", "2"}}, "MASTER_ADDR"},
        {{{"WORLD_SIZE", "2"}}, "RANK is not"},
        {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}, "MASTER_PORT"},
        {{{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_STEP_ID", "0"}, {"SLURM_JOB_NODELIST", "n[1-"}}, "SLURM_JOB_NODELIST"},
    };
    for (const auto& [variables, expected] : cases) {
        auto launch = readLaunchEnvironment(fake(variables));
        ASSERT_FALSE(launch.ok()) << expected;
        EXPECT_NE(launch.error().message.find(expected), std::string::npos) << launch.error().message;
    }
}

TEST(HostList, expandsAsSlurmDoes) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"localhost", {"localhost"}},
        {"node[01-03,07]", {"node01", "node02", "node03", "node07"}},
        {"a,b[8-10],c", {"a", "b8", "b9", "b10", "c"}},
        {"gpu[098-101]", {"gpu098", "gpu099", "gpu100", "gpu101"}},
        {"rack[1-2]-n[1-2]", {"rack1-n1", "rack1-n2", "rack2-n1", "rack2-n2"}},
    };
    const bool scontrol = std::system("command -v scontrol >/dev/null 2>&1") == 0;
    // scontrol reads a configuration before anything, even to expand a list: a minimal one.
    test::TempDir dir;
    std::ofstream(dir.path() / "slurm.conf") << "ClusterName=x\nSlurmctldHost=localhost\nNodeName=localhost CPUs=1\n"
                                                "PartitionName=p Nodes=localhost\n";
    const auto slurmConf = "SLURM_CONF='" + (dir.path() / "slurm.conf").string() + "' ";
    for (const auto& [list, expected] : cases) {
        auto hosts = expandHostList(list);
        ASSERT_TRUE(hosts.ok()) << list << ": " << hosts.error().message;
        EXPECT_EQ(*hosts, expected) << list;
        if (scontrol) {
            // Slurm's own reading of the same list, as its own process.
            std::string fromSlurm;
            for (const auto& host : *hosts) fromSlurm += host + "\n";
            EXPECT_EQ(commandOutput(slurmConf + "scontrol show hostnames '" + list + "' 2>&1"), fromSlurm) << list;
        }
    }
    if (!scontrol) std::printf("note: no scontrol here; the host lists were checked against the table only\n");
    for (const std::string bad : {"n[1-", "n]", "n[a-b]", "n[5-2]", "a,,b"}) {
        auto hosts = expandHostList(bad);
        EXPECT_FALSE(hosts.ok()) << bad;
    }
}

TEST(SbatchScript, bashReadsIt_andEveryArgumentComesBackAsItWent) {
    SbatchRequest request;
    request.program = "/opt/egmf tools/bin/egmf";
    request.arguments = {"analyze", "--dataset", "/data/MELD corpus", "--out", "it's.jsonl", "--ablate", "a,v", "--split", "$HOME"};
    request.nodes = 2;
    request.tasksPerNode = 4;
    request.gpusPerNode = 4;
    request.cpusPerTask = 8;
    request.partition = "gpu";
    request.time = "1-02:00:00";
    auto script = sbatchScript(request);
    ASSERT_TRUE(script.ok()) << script.error().message;
    for (const char* line :
         {"#SBATCH --nodes=2\n", "#SBATCH --ntasks-per-node=4\n", "#SBATCH --gpus-per-node=4\n", "#SBATCH --cpus-per-task=8\n",
          "#SBATCH --time=1-02:00:00\n", "#SBATCH --partition=gpu\n", "srun --kill-on-bad-exit=0 ", " --resume\n"}) {
        EXPECT_NE(script->find(line), std::string::npos) << line << "\n" << *script;
    }
    EXPECT_EQ(script->find("--requeue"), std::string::npos) << "an analysis resumes itself";
    test::TempDir dir;
    std::ofstream(dir.path() / "job.sh") << *script;
    EXPECT_EQ(std::system(("bash -n '" + (dir.path() / "job.sh").string() + "'").c_str()), 0) << *script;
    // The srun line with srun replaced by printf: the shell hands back each word as written.
    const auto srun = script->substr(script->find("srun --kill"));
    std::ofstream(dir.path() / "words.sh") << "printf '%s\\n' " << srun.substr(srun.find(' ', 5) + 1);
    const auto words = commandOutput("bash '" + (dir.path() / "words.sh").string() + "'");
    std::string expected = request.program + "\n";
    for (const auto& a : request.arguments) expected += a + "\n";
    EXPECT_EQ(words, expected + "--resume\n");

    request.arguments = {"train", "--dataset", "d", "--out", "o"};
    auto training = sbatchScript(request);
    ASSERT_TRUE(training.ok());
    EXPECT_NE(training->find("#SBATCH --requeue\n"), std::string::npos);
    EXPECT_NE(training->find("srun --kill-on-bad-exit=1 "), std::string::npos);

    request.arguments = {"serve"};
    EXPECT_FALSE(sbatchScript(request).ok());
    request.arguments = {"analyze"};
    request.time = "two hours";
    auto badTime = sbatchScript(request);
    ASSERT_FALSE(badTime.ok());
    EXPECT_NE(badTime.error().message.find("--time"), std::string::npos);
    request.time = "10";
    request.partition = "gpu; rm -rf /";
    EXPECT_FALSE(sbatchScript(request).ok());
}

/// A store in memory with c10d's semantics, shared by ranks that are threads.
class MemoryStore final : public KeyValueStore {
public:
    Result<std::int64_t> add(const std::string& key, std::int64_t delta) override {
        std::lock_guard lock(m_mutex);
        const auto value = (m_values.count(key) ? std::stoll(m_values[key]) : 0) + delta;
        m_values[key] = std::to_string(value);
        return value;
    }
    Result<void> set(const std::string& key, const std::string& value) override {
        std::lock_guard lock(m_mutex);
        m_values[key] = value;
        return {};
    }
    Result<std::optional<std::string>> tryGet(const std::string& key) override {
        std::lock_guard lock(m_mutex);
        if (!m_values.count(key)) return std::optional<std::string>();
        return std::optional<std::string>(m_values[key]);
    }
    Result<std::string> get(const std::string& key, std::chrono::milliseconds timeout) override {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (auto value = tryGet(key); value.ok() && *value) return **value;
            std::this_thread::sleep_for(1ms);
        }
        return makeError(ErrorCode::Io, key + ": timed out");
    }
    Result<std::string> compareSet(const std::string& key, const std::string& expected, const std::string& desired) override {
        std::lock_guard lock(m_mutex);
        const auto found = m_values.find(key);
        if (found == m_values.end() ? expected.empty() : found->second == expected) {
            m_values[key] = desired;
            return desired;
        }
        return found == m_values.end() ? expected : found->second;
    }

private:
    std::mutex m_mutex;
    std::map<std::string, std::string> m_values;
};

/// Ranks as threads over `items`: each does its items (`work` says how long one takes), and the
/// items each rank finished.
struct Outcome {
    std::vector<std::vector<int>> byRank;
    std::vector<int> all() const {
        std::vector<int> items;
        for (const auto& r : byRank) items.insert(items.end(), r.begin(), r.end());
        std::sort(items.begin(), items.end());
        return items;
    }
};

TEST(SharedWork, threeRanks_doEveryItemOnce_longAndShortMixed) {
    MemoryStore store;
    constexpr int kItems = 40, kWorld = 3;
    Outcome outcome;
    outcome.byRank.resize(kWorld);
    std::vector<std::thread> ranks;
    for (int r = 0; r < kWorld; ++r) {
        ranks.emplace_back([&, r] {
            SharedWork work(store, {r, kWorld, 20ms, 2000ms}, kItems);
            while (true) {
                auto item = work.next();
                ASSERT_TRUE(item.ok()) << item.error().message;
                if (!*item) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(**item % 7));
                outcome.byRank[static_cast<std::size_t>(r)].push_back(**item);
                ASSERT_TRUE(work.done(**item).ok());
            }
            ASSERT_TRUE(work.finish().ok());
        });
    }
    for (auto& t : ranks) t.join();
    std::vector<int> expected(kItems);
    for (int i = 0; i < kItems; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(outcome.all(), expected);
    for (int r = 0; r < kWorld; ++r) EXPECT_FALSE(outcome.byRank[static_cast<std::size_t>(r)].empty()) << "rank " << r << " had work";
    EXPECT_EQ(*store.add("done-count", 0), kItems);
}

TEST(SharedWork, aRankThatDiesMidItem_isTakenOver_andRank0WaitsForIt) {
    MemoryStore store;
    constexpr int kItems = 12, kWorld = 3;
    Outcome outcome;
    outcome.byRank.resize(kWorld);
    std::atomic<int> diedOn{-1};
    std::vector<std::thread> ranks;
    const auto started = std::chrono::steady_clock::now();
    for (int r = 0; r < kWorld; ++r) {
        ranks.emplace_back([&, r] {
            SharedWork work(store, {r, kWorld, 20ms, 300ms}, kItems);
            while (true) {
                auto item = work.next();
                ASSERT_TRUE(item.ok()) << item.error().message;
                if (!*item) break;
                if (r == 1 && outcome.byRank[1].size() == 1) {
                    diedOn = **item;  // dies holding its second item: no done, no finish, the heartbeat stops
                    return;
                }
                std::this_thread::sleep_for(30ms);
                outcome.byRank[static_cast<std::size_t>(r)].push_back(**item);
                ASSERT_TRUE(work.done(**item).ok());
            }
            if (r == 0) {
                EXPECT_EQ(work.deadRanks(), 1);
            }
            ASSERT_TRUE(work.finish().ok());
        });
    }
    for (auto& t : ranks) t.join();
    ASSERT_GE(diedOn.load(), 0);
    std::vector<int> expected(kItems);
    for (int i = 0; i < kItems; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(outcome.all(), expected) << "the dead rank's item " << diedOn << " was done by another, and only once";
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "rank 0 waited for the dead rank's heartbeat to stand still";
}

TEST(SharedWork, anItemClaimedButNeverMarkedCurrent_isFoundByRank0sSweep) {
    MemoryStore store;
    ASSERT_TRUE(store.add("next", 1).ok());  // rank 1 took item 0 and died before saying so
    std::vector<int> done;
    std::thread rank1([&] {
        // Rank 1 is there (it beats) but never reports item 0; it finishes without it.
        SharedWork work(store, {1, 2, 20ms, 200ms}, 3);
        std::this_thread::sleep_for(50ms);
        ASSERT_TRUE(work.finish().ok());
    });
    SharedWork work(store, {0, 2, 20ms, 200ms}, 3);
    while (true) {
        auto item = work.next();
        ASSERT_TRUE(item.ok());
        if (!*item) break;
        done.push_back(**item);
        ASSERT_TRUE(work.done(**item).ok());
    }
    rank1.join();
    std::sort(done.begin(), done.end());
    EXPECT_EQ(done, (std::vector<int>{0, 1, 2}));
}

TEST(WorkOrder, longestFirst_byTheDatasetsTimes_thenByFileSize_tiesInDatasetOrder) {
    const auto clip = [](const char* id, const std::string& path, double start, double end) {
        Utterance u;
        u.id = id;
        u.clipPath = path;
        u.sourceStartSec = start;
        u.sourceEndSec = end;
        return u;
    };
    Dialogue a{"a", {clip("a0", "x", 0, 2)}, "test"}, b{"b", {clip("b0", "y", 0, 5)}, "test"}, c{"c", {clip("c0", "z", 1, 3)}, "test"};
    auto ordered = longestFirst({&a, &b, &c});
    EXPECT_EQ(ordered, (std::vector<const Dialogue*>{&b, &a, &c}));
    // No times: the clips' sizes.
    test::TempDir dir;
    std::ofstream(dir.path() / "small") << std::string(10, 'x');
    std::ofstream(dir.path() / "big") << std::string(1000, 'x');
    Dialogue d{"d", {clip("d0", (dir.path() / "small").string(), 0, 0)}, ""};
    Dialogue e{"e", {clip("e0", (dir.path() / "big").string(), 0, 0)}, ""};
    EXPECT_EQ(longestFirst({&d, &e}), (std::vector<const Dialogue*>{&e, &d}));
}

}  // namespace
}  // namespace egmf::cluster
