// The player's decoding (egmf/playback.h) on a clip the ffmpeg CLI makes here: frames arrive in
// order at the clip's rate through a bounded queue, a seek restarts at the asked time, the end is
// reported; audio tempo changes the length by the factor and keeps the pitch (zero crossings).
#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/playback.h"

namespace egmf {
namespace {

class Playback : public ::testing::Test {
protected:
    void SetUp() override {
        clip = dir.path() / "clip.mp4";
        const auto command =
            "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=2 "
            "-f lavfi -i sine=frequency=440:duration=2:sample_rate=48000 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '" +
            clip.string() + "'";
        ASSERT_EQ(std::system(command.c_str()), 0);
    }
    /// Takes every frame until the end (or `limit`), waiting for the decoder.
    static std::vector<double> drain(FrameStream& stream, int limit = 1000) {
        std::vector<double> times;
        PlaybackFrame frame;
        for (int spins = 0; spins < 20000 && !stream.atEnd() && static_cast<int>(times.size()) < limit; ++spins) {
            if (stream.takeFrame(frame)) {
                times.push_back(frame.timeSec);
                EXPECT_EQ(frame.rgb.size(), static_cast<std::size_t>(frame.width) * frame.height * 3);
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
        return times;
    }
    test::TempDir dir;
    std::filesystem::path clip;
};

TEST_F(Playback, frameStream_deliversEveryFrameInOrder_andReportsTheEnd) {
    auto stream = FrameStream::open(clip);
    ASSERT_TRUE(stream.ok()) << stream.error().message;
    EXPECT_NEAR((*stream)->info().framesPerSecond, 25.0, 1e-6);
    // The queue is bounded: the decoder stops after three frames when nobody takes them.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    double next = -1;
    ASSERT_TRUE((*stream)->nextFrameTime(next));
    EXPECT_NEAR(next, 0.0, 1e-6);
    const auto times = drain(**stream);
    ASSERT_EQ(times.size(), 50u);
    for (std::size_t i = 0; i < times.size(); ++i) EXPECT_NEAR(times[i], i / 25.0, 1e-3);
    EXPECT_TRUE((*stream)->atEnd());
    EXPECT_EQ((*stream)->error(), "");
}

TEST_F(Playback, frameStream_seek_restartsAtTheAskedTime) {
    auto stream = FrameStream::open(clip);
    ASSERT_TRUE(stream.ok());
    drain(**stream, 5);
    (*stream)->seek(1.2);
    const auto times = drain(**stream);
    ASSERT_EQ(times.size(), 20u);
    EXPECT_NEAR(times.front(), 1.2, 1e-3);
    (*stream)->seek(0.0);  // after the end, a seek decodes again
    EXPECT_FALSE((*stream)->atEnd());
    EXPECT_EQ(drain(**stream).size(), 50u);
}

TEST_F(Playback, frameStream_refusesAMissingFile_namingIt) {
    auto stream = FrameStream::open(dir.path() / "nothing.mp4");
    ASSERT_FALSE(stream.ok());
    EXPECT_NE(stream.error().message.find("nothing.mp4"), std::string::npos);
}

TEST_F(Playback, audioTempo_changesLengthNotPitch) {
    auto normal = decodePlaybackAudio(clip, 48000);
    ASSERT_TRUE(normal.ok()) << normal.error().message;
    EXPECT_NEAR(normal->durationSec(), 2.0, 0.05);
    const auto crossings = [](const std::vector<float>& s) {
        int n = 0;
        for (std::size_t i = 1; i < s.size(); ++i) n += (s[i - 1] < 0) != (s[i] < 0);
        return n;
    };
    for (double tempo : {0.5, 2.0}) {
        auto changed = decodePlaybackAudio(clip, 48000, tempo);
        ASSERT_TRUE(changed.ok()) << changed.error().message;
        EXPECT_NEAR(changed->durationSec(), normal->durationSec() / tempo, 0.06) << tempo;
        // The same 440 Hz: zero crossings per second unchanged (within 3%).
        const double rate = crossings(changed->samples) / changed->durationSec();
        EXPECT_NEAR(rate, crossings(normal->samples) / normal->durationSec(), 0.03 * 880) << tempo;
    }
    EXPECT_FALSE(changeTempo(normal->samples, 48000, 3.0).ok());
}

}  // namespace
}  // namespace egmf
