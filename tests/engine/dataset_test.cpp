// The CSV reader and the MELD reader: on MELD's real annotation files (tests/data/meld, copied from
// ../shared/data/meld) and on small folders made here with the problems DATASETS.md lists.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "egmf/app/csv.h"
#include "egmf/dataset.h"
#include "egmf/paths.h"
#include "test_support.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;

TEST(Csv, parse_handlesQuotesCrlfBomAndFieldsSpanningLines) {
    const std::string text =
        "\xEF\xBB\xBFSr No.,Utterance,Speaker\r\n"
        "1,\"Oh my God, he\xE2\x80\x99s lost it.\",Phoebe\r\n"
        "2,\"She said \"\"no\"\"\nand left\",Monica\r\n"
        "\r\n"
        "3,,\r\n";
    auto table = data::parseCsv(text, "x.csv");
    ASSERT_TRUE(table.ok()) << table.error().message;
    EXPECT_EQ(table->header, (std::vector<std::string>{"Sr No.", "Utterance", "Speaker"}));
    ASSERT_EQ(table->rows.size(), 3u);
    EXPECT_EQ(table->rows[0][1], "Oh my God, he\xE2\x80\x99s lost it.");
    EXPECT_EQ(table->rows[1][1], "She said \"no\"\nand left");
    EXPECT_EQ(table->rows[2], (std::vector<std::string>{"3", "", ""}));
    EXPECT_EQ(table->rowLines, (std::vector<int>{2, 3, 6}));
    EXPECT_EQ(table->column("Speaker"), 2u);
    EXPECT_FALSE(table->column("Emotion"));
}

TEST(Csv, parse_namesFileAndLine_forMalformedInput) {
    const char* bad[] = {"a,b\n1,\"open\n", "a,b\n1,2,3\n", "a,b\n\"x\"y,2\n", "", "a,b\n\xFF,1\n"};
    for (const char* text : bad) {
        auto table = data::parseCsv(text, "broken.csv");
        ASSERT_FALSE(table.ok()) << text;
        EXPECT_NE(table.error().message.find("broken.csv"), std::string::npos) << table.error().message;
    }
    EXPECT_NE(data::parseCsv("a,b\n1,2,3\n", "broken.csv").error().message.find("broken.csv:2"), std::string::npos);
}

TEST(Meld, realAnnotationFiles_giveEveryRow_withTheKnownTraps) {
    auto meld = readMeld(test::sourceDir() / "tests" / "data" / "meld");
    ASSERT_TRUE(meld.ok()) << meld.error().message;
    EXPECT_EQ(meld->utteranceCount("train"), 9989u);
    EXPECT_EQ(meld->utteranceCount("dev"), 1109u);
    EXPECT_EQ(meld->utteranceCount("test"), 2610u);
    EXPECT_EQ(meld->labels.front(), "neutral");
    std::set<std::string> ids;
    int gaps = 0;
    bool dialogue60 = false;
    for (const auto& dialogue : meld->dialogues) {
        dialogue60 = dialogue60 || dialogue.id == "train/dia60";
        int previous = -1;
        for (const auto& utterance : dialogue.utterances) {
            EXPECT_TRUE(ids.insert(utterance.id).second) << utterance.id;
            EXPECT_TRUE(utterance.goldLabel.has_value()) << utterance.id;
            const int number = std::stoi(utterance.id.substr(utterance.id.rfind("utt") + 3));
            gaps += number != previous + 1;
            previous = number;
        }
    }
    EXPECT_FALSE(dialogue60) << "train dialogue 60 does not exist";
    EXPECT_GT(gaps, 0) << "some dialogues have utterance id gaps";
    // No clip folders here: one problem per split, nothing else.
    ASSERT_EQ(meld->problems.size(), 3u);
    for (const auto& problem : meld->problems) EXPECT_EQ(problem.kind, DatasetProblem::Kind::MissingFolder);
    const auto& first = meld->dialogues.front().utterances.front();
    EXPECT_EQ(first.id, "train/dia0_utt0");
    EXPECT_NEAR(first.sourceStartSec, 16 * 60 + 16.059, 1e-9);
    EXPECT_EQ(first.speaker, "Chandler");
    std::printf("[ meld     ] %zu dialogues, %zu utterances (train %zu, dev %zu, test %zu), %d id gaps\n", meld->dialogues.size(),
                meld->utteranceCount(), meld->utteranceCount("train"), meld->utteranceCount("dev"), meld->utteranceCount("test"), gaps);
}

TEST(Meld, reportsMissingClips_clipsWithoutRows_badRowsAndUnknownLabels_andCarriesOn) {
    test::TempDir dir;
    std::ofstream(dir.path() / "dev_sent_emo.csv")
        << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n"
        << "1,Hi.,Ross,joy,positive,0,0,1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n"
        << "2,\"Hey, you.\",Rachel,Sarcasm,neutral,0,2,1,1,\"00:00:02,000\",\"00:00:03,000\"\r\n"
        << "3,What?,Joey,neutral,neutral,x,1,1,1,\"00:00:03,000\",\"00:00:04,000\"\r\n"
        << "4,Fine.,Joey,anger,negative,1,0,1,1,\"00:00:03,000\",\"00:00:04,000\"\r\n";
    fs::create_directories(dir.path() / "dev_splits_complete");
    std::ofstream(dir.path() / "dev_splits_complete" / "dia0_utt0.mp4") << "x";
    std::ofstream(dir.path() / "dev_splits_complete" / "dia9_utt9.mp4") << "x";
    auto meld = readMeld(dir.path());
    ASSERT_TRUE(meld.ok()) << meld.error().message;
    EXPECT_EQ(meld->utteranceCount(), 3u);
    std::multiset<DatasetProblem::Kind> kinds;
    for (const auto& problem : meld->problems) kinds.insert(problem.kind);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::BadRow), 1u);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::UnknownLabel), 1u);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::MissingClip), 2u);     // dia0_utt2, dia1_utt0
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::ClipWithoutRow), 1u);  // dia9_utt9
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::MissingFolder), 0u);
    ASSERT_EQ(meld->dialogues.size(), 2u);
    EXPECT_EQ(meld->dialogues[0].utterances[0].clipPath, (dir.path() / "dev_splits_complete" / "dia0_utt0.mp4").string());
    EXPECT_FALSE(meld->dialogues[0].utterances[1].goldLabel.has_value());
    EXPECT_FALSE(readMeld(dir.path() / "nothing").ok());
    EXPECT_EQ(canonicalSplit("valid"), "dev");
    EXPECT_EQ(canonicalSplit("VAL"), "dev");
    EXPECT_EQ(canonicalSplit("holdout"), "");
}

}  // namespace
}  // namespace egmf

namespace egmf {
namespace {

TEST(Meld, demoColumns_giveGoldScoresAndCongruenceTags_andABadScoreIsAProblem) {
    test::TempDir dir;
    std::ofstream(dir.path() / "test_sent_emo.csv")
        << "Sr "
           "No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime,SentimentScore,Congruence\r\n"
        << "1,\"Oh, great.\",Maya,anger,negative,0,0,1,1,\"00:00:01,000\",\"00:00:02,000\",-1.6,incongruent\r\n"
        << "2,We won!,Theo,joy,positive,0,1,1,1,\"00:00:02,500\",\"00:00:04,000\",2.3,congruent\r\n"
        << "3,Okay.,Theo,neutral,neutral,0,2,1,1,\"00:00:04,500\",\"00:00:05,000\",lots,\r\n";
    auto meld = readMeld(dir.path());
    ASSERT_TRUE(meld.ok()) << meld.error().message;
    const auto& u = meld->dialogues.at(0).utterances;
    ASSERT_EQ(u.size(), 3u);
    EXPECT_DOUBLE_EQ(u[0].goldScore.value_or(0), -1.6);
    EXPECT_EQ(u[0].tags, std::vector<std::string>{"incongruent"});
    EXPECT_EQ(u[1].tags, std::vector<std::string>{"congruent"});
    EXPECT_FALSE(u[2].goldScore.has_value());
    EXPECT_TRUE(u[2].tags.empty());
    EXPECT_TRUE(std::any_of(meld->problems.begin(), meld->problems.end(), [](const DatasetProblem& p) {
        return p.message.find("SentimentScore \"lots\"") != std::string::npos && p.where.find("test_sent_emo.csv:4") != std::string::npos;
    }));
}

TEST(Mmsa, readsColumnsByName_keepsIdsAsStrings_andGroupsByVideo) {
    test::TempDir dir;
    // Column order differs from MOSI's; SIMS v2 style unlabelled rows and "val".
    std::ofstream(dir.path() / "meta.csv") << "mode,clip_id,video_id,label,text,annotation\n"
                                           << "train,0001,vidA,0.6,\"Good, really.\",Positive\n"
                                           << "val,0002,vidA,-0.2,Hmm.,Negative\n"
                                           << "test,0001,vidB,,No label here.,\n"
                                           << "holdout,0003,vidB,x,Bad label.,\n"
                                           << "train,,vidC,0,Empty id.,\n";
    fs::create_directories(dir.path() / "Raw" / "vidA");
    std::ofstream(dir.path() / "Raw" / "vidA" / "0001.mp4") << "x";
    auto mmsa = readDataset(dir.path());
    ASSERT_TRUE(mmsa.ok()) << mmsa.error().message;
    EXPECT_EQ(mmsa->kind, "mmsa");
    ASSERT_EQ(mmsa->dialogues.size(), 2u);
    const auto& a = mmsa->dialogues[0];
    EXPECT_EQ(a.id, "vidA");
    ASSERT_EQ(a.utterances.size(), 2u);
    EXPECT_EQ(a.utterances[0].id, "vidA/0001");
    EXPECT_DOUBLE_EQ(*a.utterances[0].goldScore, 0.6);
    EXPECT_EQ(a.utterances[0].clipPath, (dir.path() / "Raw" / "vidA" / "0001.mp4").string());
    EXPECT_TRUE(a.utterances[1].clipPath.empty());
    EXPECT_FALSE(mmsa->dialogues[1].utterances[0].goldScore.has_value()) << "unlabelled, not a problem";
    std::multiset<DatasetProblem::Kind> kinds;
    for (const auto& problem : mmsa->problems) kinds.insert(problem.kind);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::MissingClip), 3u);   // vidA/0002, vidB/0001, vidB/0003
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::UnknownLabel), 1u);  // "x"
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::BadRow), 2u);        // "holdout", empty clip_id
}

TEST(ManifestCsv, readsRelativeClipsRangesAndLabels_withDatasetJsonOrder) {
    test::TempDir dir;
    fs::create_directories(dir.path() / "clips");
    std::ofstream(dir.path() / "clips" / "a.wav") << "x";
    std::ofstream(dir.path() / "dataset.json") << R"({"task": "erc", "labels": ["neutral", "angry", "happy", "sad"]})";
    std::ofstream(dir.path() / "manifest.csv") << "dialogue_id,utterance_id,speaker,text,clip,start_ms,end_ms,label,split\n"
                                               << "s1,u1,F,你好,clips/a.wav,1500,3250,happy,train\n"
                                               << "s1,u2,M,Hi,clips/missing.wav,,,sad,valid\n"
                                               << "s2,u1,F,Excited!,,,,excited,test\n";
    auto manifest = readDataset(dir.path() / "manifest.csv");
    ASSERT_TRUE(manifest.ok()) << manifest.error().message;
    EXPECT_EQ(manifest->labels, (std::vector<std::string>{"neutral", "angry", "happy", "sad"}));
    ASSERT_EQ(manifest->dialogues.size(), 2u);
    const auto& first = manifest->dialogues[0].utterances[0];
    EXPECT_EQ(first.id, "s1/u1");
    EXPECT_EQ(first.goldLabel, "happy");
    EXPECT_DOUBLE_EQ(first.sourceStartSec, 1.5);
    EXPECT_DOUBLE_EQ(first.sourceEndSec, 3.25);
    EXPECT_EQ(first.clipPath, (dir.path() / "clips" / "a.wav").string());
    EXPECT_EQ(manifest->dialogues[0].split, "train");
    std::multiset<DatasetProblem::Kind> kinds;
    for (const auto& problem : manifest->problems) kinds.insert(problem.kind);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::MissingClip), 1u);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::RowWithoutClip), 1u);
    EXPECT_EQ(kinds.count(DatasetProblem::Kind::UnknownLabel), 1u);  // "excited" is not in dataset.json

    std::ofstream(dir.path() / "scores.csv") << "dialogue_id,utterance_id,speaker,text,clip,label,split\nv,1,s,t,,-1.4,dev\n";
    auto scores = readDataset(dir.path() / "scores.csv");
    ASSERT_TRUE(scores.ok()) << scores.error().message;
    EXPECT_DOUBLE_EQ(*scores->dialogues[0].utterances[0].goldScore, -1.4);
    std::ofstream(dir.path() / "wrong.csv") << "a,b\n1,2\n";
    auto wrong = readDataset(dir.path() / "wrong.csv");
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("dialogue_id"), std::string::npos);
}

}  // namespace
}  // namespace egmf
