// `egmf analyze` on two ranks started the way torchrun starts them (RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT), no Slurm: the merged bundle and results equal a one-process run with
// the same threads per rank; a rank killed mid-run is taken over and nothing is lost or doubled;
// rank 0 killed ends the run and --resume finishes it; a rank that cannot reach the store, and
// an earlier run's parts without --resume, are refused by name.
#include <signal.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "../app/cli_run.h"
#include "../engine/test_support.h"
#include "rank_fixture.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Ranks : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir();
        std::string why;
        s_data = test::renderDemoSubset(s_dir->path(), 6, why);
        ASSERT_FALSE(s_data.empty()) << why;
        // The reference: one process, one thread, as each rank has.
        const auto one = test::egmf(analyze(root() / "one.jsonl", root() / "one.egmfa"));
        ASSERT_EQ(one.code, 0) << one.output;
    }
    static void TearDownTestSuite() { delete s_dir; }
    static fs::path root() { return s_dir->path(); }
    static std::string analyze(const fs::path& out, const fs::path& bundle, const std::string& extra = "") {
        return "analyze --checkpoint '" + (test::sourceDir() / "resources" / "checkpoints" / "demo-erc").string() + "' --dataset '" +
               s_data.string() + "' --split test --threads 1 --out '" + out.string() + "' --bundle '" + bundle.string() + "' " + extra;
    }
    /// Waits until `part` exists and holds `dialogues` dialogues (false after a minute).
    static bool waitForDialogues(const fs::path& part, int dialogues) {
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (!fs::exists(part) || test::dialoguesIn(part) < dialogues) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
    static void expectEqualToOneProcess(const std::string& name) {
        EXPECT_EQ(test::bundleDifference(root() / "one.egmfa", root() / (name + ".egmfa")), "");
        const auto one = test::linesWithoutTimings(root() / "one.jsonl"), many = test::linesWithoutTimings(root() / (name + ".jsonl"));
        EXPECT_EQ(one.size(), many.size());
        EXPECT_TRUE(one == many) << name << ": the results files differ";
        EXPECT_FALSE(fs::exists(root() / (name + ".egmfa.parts"))) << "the parts are removed once merged";
    }
    static test::TempDir* s_dir;
    static fs::path s_data;
};
test::TempDir* Ranks::s_dir = nullptr;
fs::path Ranks::s_data;

TEST_F(Ranks, twoRanks_fromTorchrunsVariables_equalOneProcess) {
    const int port = cluster::freeLocalPort();
    test::RankProcess rank0(analyze(root() / "two.jsonl", root() / "two.egmfa"), test::torchrunVariables(0, 2, port), root() / "two-0.log");
    test::RankProcess rank1(analyze(root() / "two.jsonl", root() / "two.egmfa"), test::torchrunVariables(1, 2, port), root() / "two-1.log");
    EXPECT_EQ(rank1.wait(), 0) << rank1.log();
    EXPECT_EQ(rank0.wait(), 0) << rank0.log();
    EXPECT_NE(rank1.log().find("rank 1 of 2 (torchrun)"), std::string::npos) << rank1.log();
    EXPECT_NE(rank0.log().find("utterances analysed"), std::string::npos) << rank0.log();
    expectEqualToOneProcess("two");
}

TEST_F(Ranks, rank1KilledMidRun_itsDialogueIsTakenOver_nothingLostOrDoubled) {
    const int port = cluster::freeLocalPort();
    const auto args = analyze(root() / "killed1.jsonl", root() / "killed1.egmfa", "--dead-after 3");
    test::RankProcess rank0(args, test::torchrunVariables(0, 2, port), root() / "killed1-0.log");
    test::RankProcess rank1(args, test::torchrunVariables(1, 2, port), root() / "killed1-1.log");
    // Killed while it analyses its first dialogue: its part exists once its model is loaded, and
    // it takes a dialogue at once; a dialogue takes about a second.
    ASSERT_TRUE(waitForDialogues(root() / "killed1.egmfa.parts" / "attempt-1-rank-1.egmfa", 0)) << rank1.log();
    std::this_thread::sleep_for(300ms);
    rank1.kill(SIGKILL);
    EXPECT_EQ(rank1.wait(), -1);
    EXPECT_EQ(rank0.wait(), 0) << rank0.log();
    EXPECT_NE(rank0.log().find("takes over dialogue"), std::string::npos) << rank0.log();
    expectEqualToOneProcess("killed1");
}

TEST_F(Ranks, rank0Killed_endsTheRun_andResumeFinishesIt) {
    const auto args = analyze(root() / "killed0.jsonl", root() / "killed0.egmfa");
    {
        const int port = cluster::freeLocalPort();
        test::RankProcess rank0(args, test::torchrunVariables(0, 2, port), root() / "killed0-0.log");
        test::RankProcess rank1(args, test::torchrunVariables(1, 2, port), root() / "killed0-1.log");
        ASSERT_TRUE(waitForDialogues(root() / "killed0.egmfa.parts" / "attempt-1-rank-0.egmfa", 1)) << rank0.log();
        rank0.kill(SIGKILL);
        EXPECT_EQ(rank0.wait(), -1);
        EXPECT_EQ(rank1.wait(), 2) << rank1.log();
        EXPECT_NE(rank1.log().find("--resume"), std::string::npos) << "the error says how to go on:\n" << rank1.log();
    }
    // Without --resume the parts are not overwritten, and every rank says why.
    {
        const int port = cluster::freeLocalPort();
        test::RankProcess rank0(args, test::torchrunVariables(0, 2, port), root() / "again-0.log");
        test::RankProcess rank1(args, test::torchrunVariables(1, 2, port), root() / "again-1.log");
        EXPECT_EQ(rank0.wait(), 2) << rank0.log();
        EXPECT_EQ(rank1.wait(), 2) << rank1.log();
        EXPECT_NE(rank0.log().find("add --resume"), std::string::npos) << rank0.log();
        EXPECT_NE(rank1.log().find("rank 0 stopped"), std::string::npos) << rank1.log();
    }
    const int port = cluster::freeLocalPort();
    test::RankProcess rank0(args + " --resume", test::torchrunVariables(0, 2, port), root() / "resumed-0.log");
    test::RankProcess rank1(args + " --resume", test::torchrunVariables(1, 2, port), root() / "resumed-1.log");
    EXPECT_EQ(rank1.wait(), 0) << rank1.log();
    EXPECT_EQ(rank0.wait(), 0) << rank0.log();
    EXPECT_NE(rank0.log().find("resuming: "), std::string::npos) << rank0.log();
    expectEqualToOneProcess("killed0");
}

TEST_F(Ranks, aRankWithoutItsStore_saysWhereItLooked_andWhatToCheck) {
    const int port = cluster::freeLocalPort();  // nobody listens there
    test::RankProcess rank1(analyze(root() / "alone.jsonl", root() / "alone.egmfa", "--connect-timeout 2"),
                            test::torchrunVariables(1, 2, port), root() / "alone.log");
    EXPECT_EQ(rank1.wait(), 2);
    const auto log = rank1.log();
    EXPECT_NE(log.find("MASTER_ADDR=127.0.0.1, MASTER_PORT=" + std::to_string(port)), std::string::npos) << log;
    EXPECT_NE(log.find("check that rank 0 started"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(root() / "alone.jsonl")) << "a rank other than 0 writes no results file";

    auto bad = test::torchrunVariables(1, 2, port);
    bad["RANK"] = "5";
    test::RankProcess outside(analyze(root() / "x.jsonl", root() / "x.egmfa"), bad, root() / "outside.log");
    EXPECT_EQ(outside.wait(), 2);
    EXPECT_NE(outside.log().find("RANK=5 is outside WORLD_SIZE=2"), std::string::npos) << outside.log();
}

}  // namespace
}  // namespace egmf
