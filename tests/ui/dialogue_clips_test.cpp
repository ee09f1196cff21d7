// DialogueClips: where each utterance starts in dialogue time and which clip plays at a time, on
// durations given and on clips the ffmpeg CLI made (an odd size and rate, a cue range, sound
// only), a missing file and a file that is not a clip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "../engine/test_support.h"
#include "ui/dialogue_clips.h"

namespace egmf::ui {
namespace {

PlayerClip lasting(double seconds) {
    PlayerClip clip;
    clip.durationSec = seconds;
    return clip;
}

TEST(DialogueClips, startsAndLocate_sumTheClipsBefore) {
    const DialogueClips clips({lasting(1.2), lasting(0.5), lasting(2.0)});
    EXPECT_DOUBLE_EQ(clips.start(0), 0.0);
    EXPECT_DOUBLE_EQ(clips.start(1), 1.2);
    EXPECT_DOUBLE_EQ(clips.start(2), 1.7);
    EXPECT_DOUBLE_EQ(clips.start(3), 3.7);
    EXPECT_DOUBLE_EQ(clips.duration(), 3.7);
    const auto expectAt = [&](double t, int utterance, double clipTime) {
        const auto at = clips.locate(t);
        EXPECT_EQ(at.utterance, utterance) << "at " << t << " s";
        EXPECT_NEAR(at.clipTime, clipTime, 1e-12) << "at " << t << " s";
    };
    expectAt(0.0, 0, 0.0);
    expectAt(1.1999, 0, 1.1999);
    expectAt(1.2, 1, 0.0);  // a clip's end is the next one's start
    expectAt(1.69, 1, 0.49);
    expectAt(3.0, 2, 1.3);
    expectAt(9.0, 2, 7.3);    // past the end: the last clip (the player clamps)
    expectAt(-1.0, 0, -1.0);  // before the start: the first
    EXPECT_EQ(DialogueClips().locate(1.0).utterance, -1);
    EXPECT_DOUBLE_EQ(DialogueClips().duration(), 0.0);
}

TEST(DialogueClips, probe_readsWhatTheFilesHold_andSaysWhyNot) {
    test::TempDir dir;
    const auto video = dir.path() / "odd.mp4", sound = dir.path() / "sound.m4a", junk = dir.path() / "junk.mp4";
    const std::string ff = "ffmpeg -hide_banner -loglevel error -y ";
    ASSERT_EQ(std::system((ff + "-f lavfi -i testsrc2=size=118x66:rate=12:duration=1.5 -pix_fmt yuv420p '" + video.string() + "' && " + ff +
                           "-f lavfi -i sine=frequency=330:duration=0.8 -c:a aac '" + sound.string() + "'")
                              .c_str()),
              0);
    std::ofstream(junk) << "not a clip";
    std::vector<PlayerClip> wanted(5);
    wanted[0].path = QString::fromStdString(video.string());
    wanted[1].path = QString::fromStdString(video.string());
    wanted[1].startSec = 0.5;
    wanted[1].endSec = 1.25;
    wanted[2].path = QString::fromStdString(sound.string());
    wanted[3].path = QString::fromStdString((dir.path() / "missing.mp4").string());
    wanted[4].path = QString::fromStdString(junk.string());
    const auto clips = DialogueClips::probe(wanted);
    ASSERT_EQ(clips.size(), 5u);
    EXPECT_NEAR(clips[0].durationSec, 1.5, 0.05);
    EXPECT_NEAR(clips[0].framesPerSecond, 12.0, 1e-6);
    EXPECT_TRUE(clips[0].hasVideo);
    EXPECT_NEAR(clips[1].durationSec, 0.75, 1e-9) << "a cue's range, not the file";
    EXPECT_FALSE(clips[2].hasVideo);
    EXPECT_TRUE(clips[2].error.isEmpty()) << clips[2].error.toStdString();
    EXPECT_NEAR(clips[2].durationSec, 0.8, 0.05);
    for (std::size_t broken : {3u, 4u}) {
        EXPECT_TRUE(clips[broken].error.contains(wanted[broken].path)) << clips[broken].error.toStdString();
        EXPECT_DOUBLE_EQ(clips[broken].durationSec, 2.0) << "shown as text for two seconds";
    }
    EXPECT_NEAR(clips.start(3), clips[0].durationSec + 0.75 + clips[2].durationSec, 1e-9);
}

}  // namespace
}  // namespace egmf::ui
