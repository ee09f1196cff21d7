// A real Slurm on localhost, started by this test and stopped by it (only what it started, by
// their pid files): munged with its own key and socket, slurmctld and slurmd with a generated
// slurm.conf on ports of their own. On it, the scripts `egmf cluster slurm` writes:
// - `srun` with 2 ranks of `egmf analyze` over 4 dialogues of the demo test split: the merged
//   bundle and results equal a one-process run;
// - the same with rank 1's process killed mid-run: srun goes on (--kill-on-bad-exit=0), rank 0
//   takes its dialogue over, and the result is still complete;
// - a 2-rank training job requeued after its first epoch (as preemption does): Slurm starts it
//   again, it resumes from its last state and ends with the weights of an uninterrupted run.
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "../app/cli_run.h"
#include "../engine/test_support.h"
#include "egmf/app/text_corpus.h"
#include "egmf/app/trainer.h"
#include "loading/weights.h"
#include "rank_fixture.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurped(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs a shell command with this cluster's SLURM_CONF; its output (stdout and stderr).
test::Run shell(const std::string& command) {
    test::Run run;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe)) run.output += buffer;
    const int status = pipe ? ::pclose(pipe) : -1;
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

pid_t pidFrom(const fs::path& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
}

bool alive(pid_t pid) {
    return pid > 0 && ::kill(pid, 0) == 0;
}

/// The egmf process of rank `rank` in Slurm job `job` (its environment says so), or 0.
pid_t rankProcess(const std::string& job, int rank) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec;
        if (fs::read_symlink(entry.path() / "exe", ec).filename() != "egmf") continue;
        const auto environment = slurped(entry.path() / "environ");
        const auto has = [&](const std::string& pair) { return environment.find(std::string(1, '\0') + pair + '\0') != std::string::npos; };
        if (has("SLURM_JOB_ID=" + job) && has("SLURM_PROCID=" + std::to_string(rank))) return std::stoi(name);
    }
    return 0;
}

class Slurm : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        for (const char* program : {"munged", "slurmctld", "slurmd", "sbatch"}) {
            ASSERT_EQ(shell(std::string("command -v ") + program + " || test -x /usr/sbin/" + program).code, 0)
                << program << " is missing: scripts/test.sh installs Slurm and munge (scripts/setup.sh --tests)";
        }
        s_dir = new test::TempDir();
        fs::permissions(
            root(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
        startMunge();
        startSlurm();
        std::string why;
        s_data = test::renderDemoSubset(root(), 4, why);
        ASSERT_FALSE(s_data.empty()) << why;
        const auto one = test::egmf(analyze(root() / "one.jsonl", root() / "one.egmfa"));
        ASSERT_EQ(one.code, 0) << one.output;
    }
    static void TearDownTestSuite() {
        if (!s_dir) return;
        shell(slurmEnv() + "scancel --user=root");
        // What this test started, by the pid files it gave them; nothing else.
        for (const char* pidFile : {"slurm/slurmd.pid", "slurm/slurmctld.pid", "munge/munged.pid"}) stop(root() / pidFile);
        delete s_dir;
        s_dir = nullptr;
    }
    static fs::path root() { return s_dir->path(); }
    static std::string slurmEnv() { return "SLURM_CONF='" + (root() / "slurm" / "slurm.conf").string() + "' "; }
    static std::string analyze(const fs::path& out, const fs::path& bundle, const std::string& extra = "") {
        return "analyze --checkpoint '" + (test::sourceDir() / "resources" / "checkpoints" / "demo-erc").string() + "' --dataset '" +
               s_data.string() + "' --split test --threads 1 --out '" + out.string() + "' --bundle '" + bundle.string() + "' " + extra;
    }
    /// `egmf cluster slurm` with 2 ranks on this node, for `command`: the script's path.
    static fs::path script(const std::string& name, const std::string& command) {
        const auto file = root() / (name + ".sh");
        const auto made = test::egmf("cluster slurm --tasks-per-node 2 --time 20 --job-name " + name + " --output '" +
                                     (root() / (name + "-%j.out")).string() + "' --script '" + file.string() + "' -- " + command);
        EXPECT_EQ(made.code, 0) << made.output;
        return file;
    }
    static std::string submit(const fs::path& script) {
        const auto submitted = shell(slurmEnv() + "sbatch --parsable '" + script.string() + "'");
        EXPECT_EQ(submitted.code, 0) << submitted.output;
        return submitted.output.substr(0, submitted.output.find_first_of(";\n"));
    }
    /// Waits for the job to leave the queue; its final state ("COMPLETED", "FAILED", ...).
    static std::string waitForJob(const std::string& job, std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto state = shell(slurmEnv() + "scontrol show job " + job + " | grep -o 'JobState=[A-Z_]*'").output;
            if (state.find("JobState=") != std::string::npos && state.find("PENDING") == std::string::npos &&
                state.find("RUNNING") == std::string::npos && state.find("REQUEUE") == std::string::npos &&
                state.find("COMPLETING") == std::string::npos) {
                return state.substr(9, state.find('\n') - 9);
            }
            std::this_thread::sleep_for(200ms);
        }
        return "still running after " + std::to_string(limit.count()) + " s";
    }
    static std::string jobOutput(const std::string& name, const std::string& job) { return slurped(root() / (name + "-" + job + ".out")); }

    static test::TempDir* s_dir;
    static fs::path s_data;

private:
    static void startMunge() {
        const auto munge = root() / "munge";
        fs::create_directories(munge);
        {
            std::ofstream key(munge / "munge.key", std::ios::binary);
            std::random_device random;
            for (int i = 0; i < 1024; ++i) key.put(static_cast<char>(random()));
        }
        const passwd* user = ::getpwnam("munge");
        ASSERT_NE(user, nullptr) << "no munge user: the munge package makes it";
        for (const auto& path : {munge, munge / "munge.key"}) ASSERT_EQ(::chown(path.c_str(), user->pw_uid, user->pw_gid), 0);
        ::chmod(munge.c_str(), 0700);
        ::chmod((munge / "munge.key").c_str(), 0400);
        const auto started =
            shell("runuser -u munge -- /usr/sbin/munged --force --key-file '" + (munge / "munge.key").string() + "' --socket '" +
                  (munge / "munge.socket").string() + "' --pid-file '" + (munge / "munged.pid").string() + "' --log-file '" +
                  (munge / "munged.log").string() + "' --seed-file '" + (munge / "munged.seed").string() + "'");
        ASSERT_EQ(started.code, 0) << started.output << slurped(munge / "munged.log");
        const auto roundTrip =
            shell("munge -n -S '" + (munge / "munge.socket").string() + "' | unmunge -S '" + (munge / "munge.socket").string() + "'");
        ASSERT_EQ(roundTrip.code, 0) << roundTrip.output;
    }
    static void startSlurm() {
        const auto slurm = root() / "slurm";
        fs::create_directories(slurm / "state");
        fs::create_directories(slurm / "spool");
        const int controller = cluster::freeLocalPort(), node = cluster::freeLocalPort();
        std::ofstream(slurm / "slurm.conf") << "ClusterName=egmftest\n"
                                            << "SlurmctldHost=localhost\n"
                                            << "SlurmUser=root\nSlurmdUser=root\n"
                                            << "AuthType=auth/munge\nCredType=cred/munge\n"
                                            << "AuthInfo=socket=" << (root() / "munge" / "munge.socket").string() << "\n"
                                            << "SlurmctldPort=" << controller << "\nSlurmdPort=" << node << "\n"
                                            << "StateSaveLocation=" << (slurm / "state").string() << "\n"
                                            << "SlurmdSpoolDir=" << (slurm / "spool").string() << "\n"
                                            << "SlurmctldPidFile=" << (slurm / "slurmctld.pid").string() << "\n"
                                            << "SlurmdPidFile=" << (slurm / "slurmd.pid").string() << "\n"
                                            << "SlurmctldLogFile=" << (slurm / "slurmctld.log").string() << "\n"
                                            << "SlurmdLogFile=" << (slurm / "slurmd.log").string() << "\n"
                                            << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                                            << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
                                            << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
                                            << "MpiDefault=none\nReturnToService=2\nJobRequeue=1\n"
                                            << "NodeName=localhost CPUs=2 RealMemory=2000 State=UNKNOWN\n"
                                            << "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n";
        const auto conf = (slurm / "slurm.conf").string();
        auto started = shell("/usr/sbin/slurmctld -f '" + conf + "'");
        ASSERT_EQ(started.code, 0) << started.output << slurped(slurm / "slurmctld.log");
        started = shell("/usr/sbin/slurmd -f '" + conf + "' -N localhost");
        ASSERT_EQ(started.code, 0) << started.output << slurped(slurm / "slurmd.log");
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        std::string state;
        while (std::chrono::steady_clock::now() < deadline) {
            state = shell(slurmEnv() + "sinfo -h -o %T").output;
            if (state.rfind("idle", 0) == 0) return;
            std::this_thread::sleep_for(200ms);
        }
        FAIL() << "the node never became idle: " << state << slurped(slurm / "slurmctld.log") << slurped(slurm / "slurmd.log");
    }
    static void stop(const fs::path& pidFile) {
        const pid_t pid = pidFrom(pidFile);
        if (!alive(pid)) return;
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(100ms);
        if (alive(pid)) ::kill(pid, SIGKILL);
    }
};
test::TempDir* Slurm::s_dir = nullptr;
fs::path Slurm::s_data;

TEST_F(Slurm, analyzeOnTwoRanks_throughTheScriptEgmfWrote_equalsOneProcess) {
    const auto job = submit(script("analyze", analyze(root() / "slurm.jsonl", root() / "slurm.egmfa")));
    EXPECT_EQ(waitForJob(job, 300s), "COMPLETED") << jobOutput("analyze", job);
    const auto output = jobOutput("analyze", job);
    EXPECT_NE(output.find("rank 1 of 2 (slurm)"), std::string::npos) << output;
    EXPECT_EQ(test::bundleDifference(root() / "one.egmfa", root() / "slurm.egmfa"), "") << output;
    EXPECT_TRUE(test::linesWithoutTimings(root() / "one.jsonl") == test::linesWithoutTimings(root() / "slurm.jsonl")) << output;
}

TEST_F(Slurm, rank1KilledMidRun_srunGoesOn_andTheAnalysisIsComplete) {
    const auto job = submit(script("killed", analyze(root() / "killed.jsonl", root() / "killed.egmfa", "--dead-after 3")));
    // Killed while it analyses its first dialogue: its part exists once its model is loaded, and
    // it takes a dialogue at once; a dialogue takes about a second.
    const auto part = root() / "killed.egmfa.parts" / "attempt-1-rank-1.egmfa";
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (!fs::exists(part) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(300ms);
    const pid_t rank1 = rankProcess(job, 1);
    ASSERT_GT(rank1, 0) << "rank 1 of job " << job << " not found";
    ::kill(rank1, SIGKILL);
    const auto state = waitForJob(job, 300s);
    const auto output = jobOutput("killed", job);
    EXPECT_NE(state, "COMPLETED") << "srun reports the killed task";
    EXPECT_NE(output.find("takes over dialogue"), std::string::npos) << output;
    EXPECT_EQ(test::bundleDifference(root() / "one.egmfa", root() / "killed.egmfa"), "") << output;
    EXPECT_TRUE(test::linesWithoutTimings(root() / "one.jsonl") == test::linesWithoutTimings(root() / "killed.jsonl")) << output;
}

TEST_F(Slurm, aTrainingJobRequeuedAfterAnEpoch_resumes_toTheWeightsOfAnUninterruptedRun) {
    // A small text-only dataset (the trainer's own tests'): no clips, seconds an epoch.
    const auto data = root() / "train-data";
    ASSERT_TRUE(demo::writeTextCorpus(data).ok());
    const auto trainCommand = [&](const fs::path& out) {
        return "train --dataset '" + data.string() + "' --out '" + out.string() + "' --config '" + (data / "config.json").string() +
               "' --features-cache '" + (root() / "features").string() + "' --seed 5 --threads 1 --epochs 4 --patience 9";
    };
    const auto whole = test::egmf(trainCommand(root() / "whole") + " --processes 2");
    ASSERT_EQ(whole.code, 0) << whole.output;

    const auto out = root() / "requeued";
    const auto job = submit(script("train", trainCommand(out)));
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    while (train::lastTrainingState(out).empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    ASSERT_FALSE(train::lastTrainingState(out).empty()) << "no epoch finished\n" << jobOutput("train", job);
    const auto requeued = shell(slurmEnv() + "scontrol requeue " + job);
    ASSERT_EQ(requeued.code, 0) << requeued.output;
    // Slurm holds a requeued batch job back two minutes before it may start again (its
    // BeginTime); once it is pending again, the test lets it start now.
    const auto startTime = std::chrono::steady_clock::now();
    for (int i = 0; i < 300 && shell(slurmEnv() + "scontrol show job " + job + " | grep -q JobState=PENDING").code != 0; ++i) {
        std::this_thread::sleep_for(100ms);
    }
    const auto released = shell(slurmEnv() + "scontrol update JobId=" + job + " StartTime=now");
    EXPECT_EQ(released.code, 0) << released.output;
    EXPECT_EQ(waitForJob(job, 600s), "COMPLETED") << jobOutput("train", job);
    std::printf("requeued job done %.1f s after the requeue\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count());
    const auto output = jobOutput("train", job);
    EXPECT_NE(output.find("resuming from "), std::string::npos) << output;
    EXPECT_NE(shell(slurmEnv() + "scontrol show job " + job).output.find("Restarts=1"), std::string::npos);

    auto a = loading::loadTensors(root() / "whole" / "model.safetensors"), b = loading::loadTensors(out / "model.safetensors");
    ASSERT_TRUE(a.ok() && b.ok()) << output;
    double largest = 0;
    for (const auto& [key, tensor] : *a) largest = std::max(largest, (tensor - b->at(key)).abs().max().item<double>());
    std::printf("uninterrupted vs requeued by Slurm and resumed: largest weight difference %.3g\n", largest);
    EXPECT_LT(largest, 1e-5);
}

}  // namespace
}  // namespace egmf
