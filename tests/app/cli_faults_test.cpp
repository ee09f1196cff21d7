// Fault tests: a MELD folder with the corpus's real defects (DATASETS.md: a corrupt clip,
// a missing clip, a clip wrongly cut to 5 minutes, a clip without a CSV row) is analysed by the
// bundled checkpoint: every other utterance gets its result, each defect is reported by name, and
// the 5-minute clip costs no more than its first 60 s.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "cli_run.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void makeClip(const fs::path& clip, double seconds, int tone) {
    const auto command =
        "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i "
        "sine=frequency=" +
        std::to_string(tone) + " -t " + std::to_string(seconds) + " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac '" +
        clip.string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(Faults, meldWithItsDefects_analysesEverythingElse_andReportsEach) {
    test::TempDir dir;
    const auto root = dir.path();
    std::ofstream csv(root / "test_sent_emo.csv");
    csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n";
    const char* rows[][3] = {{"0", "0", "Good morning."},
                             {"0", "1", "This clip is corrupt."},
                             {"0", "2", "This clip is missing."},
                             {"1", "0", "This clip runs five minutes."},
                             {"1", "1", "Fine again."}};
    int serial = 1;
    for (const auto& r : rows) {
        csv << serial++ << ",\"" << r[2] << "\",Ross,neutral,neutral," << r[0] << ',' << r[1]
            << ",1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n";
    }
    csv.close();
    const auto clips = root / "output_repeated_splits_test";
    fs::create_directories(clips);
    makeClip(clips / "dia0_utt0.mp4", 1.5, 300);
    std::ofstream(clips / "dia0_utt1.mp4") << std::string(6000, 'z');  // like train dia125_utt3
    makeClip(clips / "dia1_utt0.mp4", 300, 400);                       // like test dia220_utt0
    makeClip(clips / "dia1_utt1.mp4", 1.5, 500);
    makeClip(clips / "dia9_utt0.mp4", 1.0, 600);  // a clip without a row

    const auto out = root / "results.jsonl";
    const auto started = std::chrono::steady_clock::now();
    const auto run = test::egmf("analyze --checkpoint '" + (test::sourceDir() / "resources/checkpoints/demo-erc").string() +
                                "' --dataset '" + root.string() + "' --split test --threads 2 --out '" + out.string() + "'");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(run.code, 1) << run.output;  // the corrupt clip failed; the rest did not
    // Each defect named, with its file.
    for (const char* expected : {"missing clip", "dia0_utt2.mp4", "clip without row", "dia9_utt0.mp4", "dia0_utt1.mp4"}) {
        EXPECT_NE(run.output.find(expected), std::string::npos) << expected << " in:\n" << run.output;
    }
    std::map<std::string, json> lines;
    std::ifstream in(out);
    for (std::string text; std::getline(in, text);) {
        auto line = json::parse(text);
        lines[line["id"].get<std::string>()] = line;
    }
    ASSERT_EQ(lines.size(), 5u) << run.output;
    for (const char* good : {"test/dia0_utt0", "test/dia1_utt1"}) {
        EXPECT_TRUE(lines[good]["error"].is_null()) << good << ": " << lines[good]["error"];
        EXPECT_GT(lines[good]["lengths"]["audio"].get<int>(), 0) << good;
        EXPECT_GT(lines[good]["lengths"]["visual"].get<int>(), 0) << good;
    }
    EXPECT_NE(lines["test/dia0_utt1"]["error"].get<std::string>().find("dia0_utt1.mp4"), std::string::npos);
    EXPECT_EQ(lines["test/dia0_utt2"]["lengths"]["visual"], 0) << "missing clip: text only";
    EXPECT_TRUE(lines["test/dia0_utt2"]["prediction"].is_string());
    // The 5-minute clip: analysed from its first 60 s, and said so.
    const auto& longClip = lines["test/dia1_utt0"];
    EXPECT_TRUE(longClip["prediction"].is_string()) << longClip.dump();
    EXPECT_GT(longClip["lengths"]["audio"].get<int>(), 0);
    const auto warning = longClip["error"].is_string() ? longClip["error"].get<std::string>() : std::string();
    EXPECT_NE((warning + run.output).find("first 60 s"), std::string::npos) << longClip.dump() << "\n" << run.output;
    EXPECT_LT(seconds, 120.0) << "five minutes of clip must not be decoded whole";
}

}  // namespace
}  // namespace egmf
