// The `egmf` subcommands of the data and metrics layers, run as a user runs them: exit codes
// (0 ok, 1 some items failed, 2 bad usage or input) and the first lines of their output.
#include <sys/wait.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "cli_run.h"

namespace egmf {
namespace {

TEST(Cli, datasetCheck_reportsProblems_andEvalScores) {
    const auto meld = test::egmf("dataset check '" + (test::sourceDir() / "tests/data/meld").string() + "'");
    EXPECT_EQ(meld.code, 1) << meld.output;  // no clip folders: problems
    EXPECT_NE(meld.output.find("meld, 1432 dialogues, 13708 utterances (train 9989, dev 1109, test 2610)"), std::string::npos)
        << meld.output;
    EXPECT_EQ(test::egmf("dataset check /nonexistent").code, 2);

    test::TempDir dir;
    {
        // The real MELD CSVs beside empty clip folders: 13,708 missing clips. Summaries before
        // details: counts per kind, a few examples of each, --all for every line.
        test::TempDir unpacked;
        for (const char* split : {"train", "dev", "test"}) {
            const auto csv = std::string(split) + "_sent_emo.csv";
            std::filesystem::copy_file(test::sourceDir() / "tests/data/meld" / csv, unpacked.path() / csv);
        }
        for (const char* folder : {"train_splits", "dev_splits_complete", "output_repeated_splits_test"}) {
            std::filesystem::create_directory(unpacked.path() / folder);
        }
        const auto lineCount = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
        const auto summary = test::egmf("dataset check '" + unpacked.path().string() + "'");
        EXPECT_EQ(summary.code, 1);
        EXPECT_LT(lineCount(summary.output), 40) << summary.output;
        EXPECT_NE(summary.output.find("13708 missing clip"), std::string::npos) << summary.output;
        EXPECT_NE(summary.output.find("... and 13703 more (--all lists every one)"), std::string::npos) << summary.output;
        EXPECT_LT(summary.output.find("13708 missing clip"), summary.output.find("_utt")) << "counts before examples";
        const auto all = test::egmf("dataset check --all '" + unpacked.path().string() + "'");
        EXPECT_EQ(all.code, 1);
        EXPECT_GT(lineCount(all.output), 13708) << "--all lists every problem";
    }

    std::ofstream(dir.path() / "p.csv") << "id,gold,pred\na,joy,joy\nb,anger,joy\nc,neutral,neutral\n";
    const auto erc = test::egmf("eval --task erc --predictions '" + (dir.path() / "p.csv").string() + "'");
    ASSERT_EQ(erc.code, 0) << erc.output;
    EXPECT_NEAR(nlohmann::json::parse(erc.output)["accuracy"].get<double>(), 2.0 / 3.0, 1e-12);
    const auto wrongTask = test::egmf("eval --task msa --predictions '" + (dir.path() / "p.csv").string() + "'");
    EXPECT_EQ(wrongTask.code, 2);
    EXPECT_NE(wrongTask.output.find("p.csv:2"), std::string::npos) << wrongTask.output;
    EXPECT_EQ(test::egmf("eval --task nonsense --predictions x.csv").code, 2);
}

TEST(Cli, datasetCheckClips_reportsUndecodableAndTooLongClips) {
    test::TempDir dir;
    std::ofstream(dir.path() / "test_sent_emo.csv")
        << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n"
        << "1,Hi.,Ross,joy,positive,0,0,1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n"
        << "2,Long.,Ross,joy,positive,0,1,1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n"
        << "3,Broken.,Ross,joy,positive,0,2,1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n";
    const auto clips = dir.path() / "output_repeated_splits_test";
    std::filesystem::create_directories(clips);
    const std::string ff =
        "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=64x48:rate=10 -f lavfi -i sine -c:v libx264 -pix_fmt yuv420p ";
    ASSERT_EQ(std::system((ff + "-t 0.5 '" + (clips / "dia0_utt0.mp4").string() + "'").c_str()), 0);
    ASSERT_EQ(std::system((ff + "-t 2.5 '" + (clips / "dia0_utt1.mp4").string() + "'").c_str()), 0);
    std::ofstream(clips / "dia0_utt2.mp4") << std::string(5000, 'z');
    const auto run = test::egmf("dataset check --clips --max-seconds 2 '" + dir.path().string() + "'");
    EXPECT_EQ(run.code, 1) << run.output;
    EXPECT_NE(run.output.find("1 undecodable clip"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("1 clip too long"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("dia0_utt2.mp4"), std::string::npos) << run.output;
}

TEST(Cli, benchLlm_decodesATinyLlama_andReportsTheBandwidthFloor) {
    const auto run = test::egmf(
        "bench llm --shape tiny --device cpu --dtype float32 --prompt-tokens 16 --new-tokens 6 "
        "--repeats 1 --threads 1 --bandwidth 10");
    ASSERT_EQ(run.code, 0) << run.output;
    for (const char* line : {"ms per generated token", "bandwidth floor", "fraction of bandwidth", "10.0 GB/s (given)"}) {
        EXPECT_NE(run.output.find(line), std::string::npos) << line << " in:\n" << run.output;
    }
    const auto wrongDevice = test::egmf("bench llm --shape tiny --device tpu");
    EXPECT_EQ(wrongDevice.code, 2) << wrongDevice.output;
    EXPECT_NE(wrongDevice.output.find("tpu"), std::string::npos) << wrongDevice.output;
}

}  // namespace
}  // namespace egmf
