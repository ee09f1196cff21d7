// The demo corpus (egmf make-demo): the script's guarantees for many seeds, and a rendered
// dialogue read back through the MELD reader with its clips probed by FFmpeg.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/app/demo_render.h"
#include "egmf/app/demo_script.h"
#include "egmf/app/media_file.h"
#include "egmf/dataset.h"

namespace egmf::demo {
namespace {

TEST(DemoScript, sameSeedSameScript_otherSeedOtherScript) {
    const auto a = writeScript(7), b = writeScript(7), c = writeScript(8);
    ASSERT_EQ(a.dialogues.size(), b.dialogues.size());
    std::string textA, textB, textC;
    for (const auto* script : {&a, &b, &c}) {
        auto& text = script == &a ? textA : script == &b ? textB : textC;
        for (const auto& d : script->dialogues) {
            for (const auto& u : d.utterances) text += d.split + u.speaker + u.text + u.emotion + std::to_string(u.voice.pitch) + "\n";
        }
    }
    EXPECT_EQ(textA, textB);
    EXPECT_NE(textA, textC);
}

TEST(DemoScript, holdsTheCorpusGuarantees_forManySeeds) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const auto script = writeScript(seed);
        std::map<std::string, int> dialogues, utterances, incongruent, emotions;
        for (const auto& d : script.dialogues) {
            ++dialogues[d.split];
            EXPECT_GE(d.utterances.size(), 5u);
            EXPECT_LE(d.utterances.size(), 12u);
            std::set<std::string> speakers, lines;
            for (const auto& u : d.utterances) {
                ++utterances[d.split];
                incongruent[d.split] += u.incongruent;
                ++emotions[u.emotion];
                speakers.insert(u.speaker);
                EXPECT_TRUE(lines.insert(u.text).second) << "a line twice in one dialogue: " << u.text;
                EXPECT_EQ(u.incongruent, u.surfaceEmotion != u.emotion) << u.text;
                EXPECT_GE(u.sentiment, -3.0);
                EXPECT_LE(u.sentiment, 3.0);
            }
            EXPECT_GE(speakers.size(), 2u);
        }
        EXPECT_EQ(script.dialogues.size(), 72u);
        EXPECT_EQ(dialogues["test"], 20);
        EXPECT_GE(utterances["test"], 150) << "seed " << seed;
        EXPECT_GE(incongruent["test"], 40) << "seed " << seed;
        const int total = utterances["train"] + utterances["dev"] + utterances["test"];
        const int mixed = incongruent["train"] + incongruent["dev"] + incongruent["test"];
        EXPECT_NEAR(static_cast<double>(mixed) / total, 0.25, 0.05) << "about a quarter incongruent";
        EXPECT_EQ(emotions.size(), 7u);
    }
}

TEST(DemoRender, aDialogue_readsBackAsMeld_withClipsOfSpeechAndFaces) {
    auto script = writeScript(3);
    // One test dialogue, cut to three utterances, one of them incongruent.
    auto it = std::find_if(script.dialogues.begin(), script.dialogues.end(), [](const DemoDialogue& d) {
        return d.split == "test" &&
               std::any_of(d.utterances.begin(), d.utterances.begin() + 3, [](const DemoUtterance& u) { return u.incongruent; });
    });
    ASSERT_NE(it, script.dialogues.end());
    auto dialogue = *it;
    dialogue.utterances.resize(3);
    script.dialogues = {dialogue};
    test::TempDir out;
    auto report = renderCorpus(script, out.path(), {});
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->splits["test"].utterances, 3);

    auto dataset = readMeld(out.path());
    ASSERT_TRUE(dataset.ok()) << dataset.error().message;
    EXPECT_TRUE(dataset->problems.empty()) << dataset->problems.front().message;
    ASSERT_EQ(dataset->dialogues.size(), 1u);
    const auto& utterances = dataset->dialogues[0].utterances;
    ASSERT_EQ(utterances.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& written = dialogue.utterances[i];
        const auto& read = utterances[i];
        EXPECT_EQ(read.text, written.text);
        EXPECT_EQ(read.goldLabel.value_or(""), written.emotion);
        ASSERT_TRUE(read.goldScore.has_value());
        EXPECT_NEAR(*read.goldScore, written.sentiment, 1e-9);
        EXPECT_EQ(read.tags, std::vector<std::string>{written.incongruent ? "incongruent" : "congruent"});
        auto info = media::probeClip(read.clipPath);
        ASSERT_TRUE(info.ok()) << info.error().message;
        EXPECT_TRUE(info->hasAudio && info->hasVideo);
        EXPECT_NEAR(info->videoFramesPerSecond, 25.0, 1e-6);
        EXPECT_GT(info->durationSec, 1.0);
        EXPECT_LT(info->durationSec, 8.0);
    }
}

}  // namespace
}  // namespace egmf::demo
