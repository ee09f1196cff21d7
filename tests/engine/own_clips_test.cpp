// The user's own clips with an .srt transcript: cues with speakers, ranges of one long clip, one
// cue per clip, and clear errors for malformed transcripts.
#include <fstream>

#include <gtest/gtest.h>

#include "egmf/dataset.h"
#include "test_support.h"

namespace egmf {
namespace {

std::filesystem::path write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
    return file;
}

TEST(OwnClips, readSrt_takesTimesSpeakersAndText) {
    test::TempDir dir;
    const auto srt = write(dir.path() / "t.srt",
                           "\xEF\xBB\xBF"
                           "1\r\n00:00:01,000 --> 00:00:02,500\r\nJOEY: How you <i>doin'</i>?\r\n\r\n"
                           "2\r\n00:00:03.250 --> 00:00:05,000\r\nWell, at 10:30 we leave.\r\nTogether.\r\n\r\n"
                           "00:01:00,000 --> 00:01:01,000\nRACHEL: No.\n");
    auto cues = readSrt(srt);
    ASSERT_TRUE(cues.ok()) << cues.error().message;
    ASSERT_EQ(cues->size(), 3u);
    EXPECT_DOUBLE_EQ((*cues)[0].startSec, 1.0);
    EXPECT_DOUBLE_EQ((*cues)[0].endSec, 2.5);
    EXPECT_EQ((*cues)[0].speaker, "JOEY");
    EXPECT_EQ((*cues)[0].text, "How you doin'?");
    EXPECT_DOUBLE_EQ((*cues)[1].startSec, 3.25);
    EXPECT_EQ((*cues)[1].speaker, "");  // "Well, at 10" is not a name
    EXPECT_EQ((*cues)[1].text, "Well, at 10:30 we leave. Together.");
    EXPECT_EQ((*cues)[2].speaker, "RACHEL");
    EXPECT_DOUBLE_EQ((*cues)[2].startSec, 60.0);
}

TEST(OwnClips, readSrt_errorsNameTheFileAndLine) {
    test::TempDir dir;
    auto bad = readSrt(write(dir.path() / "bad.srt", "1\n00:00:01 --> 00:00:02\nhi\n"));
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("bad.srt:2"), std::string::npos) << bad.error().message;
    auto backwards = readSrt(write(dir.path() / "back.srt", "1\n00:00:03,000 --> 00:00:02,000\nhi\n"));
    ASSERT_FALSE(backwards.ok());
    EXPECT_NE(backwards.error().message.find("ends before it starts"), std::string::npos);
    EXPECT_FALSE(readSrt(write(dir.path() / "empty.srt", "\n\n")).ok());
    EXPECT_FALSE(readSrt(dir.path() / "missing.srt").ok());
}

TEST(OwnClips, datasetFromClips_mapsCuesToRangesOrClips) {
    test::TempDir dir;
    const auto srt = write(dir.path() / "t.srt", "1\n00:00:01,000 --> 00:00:02,000\nA: one\n\n2\n00:00:02,500 --> 00:00:04,000\nB: two\n");
    const auto clip = write(dir.path() / "talk.mp4", "x");
    auto one = datasetFromClips({clip}, srt);
    ASSERT_TRUE(one.ok()) << one.error().message;
    ASSERT_EQ(one->dialogues.size(), 1u);
    const auto& u = one->dialogues[0].utterances;
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[1].speaker, "B");
    EXPECT_EQ(u[1].text, "two");
    EXPECT_DOUBLE_EQ(u[1].clipStartSec, 2.5);
    EXPECT_DOUBLE_EQ(u[1].clipEndSec, 4.0);
    EXPECT_DOUBLE_EQ(u[1].durationSec, 1.5);
    EXPECT_EQ(u[0].clipPath, clip.string());

    const auto second = write(dir.path() / "b.mp4", "x");
    auto perClip = datasetFromClips({clip, second}, srt);
    ASSERT_TRUE(perClip.ok());
    EXPECT_EQ(perClip->dialogues[0].utterances[1].clipPath, second.string());
    EXPECT_DOUBLE_EQ(perClip->dialogues[0].utterances[1].clipStartSec, 0.0);

    auto mismatch = datasetFromClips({clip, second, dir.path() / "c.mp4"}, srt);
    ASSERT_FALSE(mismatch.ok());
    EXPECT_NE(mismatch.error().message.find("2 cues for 3 clips"), std::string::npos);

    auto bare = datasetFromClips({clip, dir.path() / "gone.mp4"});
    ASSERT_TRUE(bare.ok());
    EXPECT_EQ(bare->dialogues[0].utterances.size(), 2u);
    ASSERT_EQ(bare->problems.size(), 1u);
    EXPECT_EQ(bare->problems[0].kind, DatasetProblem::Kind::MissingClip);
}

}  // namespace
}  // namespace egmf
