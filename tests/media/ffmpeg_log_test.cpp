// FFmpeg's log through ours: a damaged clip's decoder errors become that clip's warnings (a few,
// repeats counted), a clean clip decoded at the same time on another thread gets none of them,
// and nothing of FFmpeg reaches stderr unless verbose.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "clip_fixture.h"
#include "egmf/app/media_file.h"
#include "egmf/media_log.h"
#include "media/ffmpeg_log.h"

extern "C" {
#include <libavutil/log.h>
}

namespace egmf::media {
namespace {

std::size_t countFfmpegLines(const std::vector<std::string>& warnings) {
    std::size_t count = 0;
    for (const auto& line : warnings) count += line.rfind("FFmpeg", 0) == 0 ? 1 : 0;
    return count;
}

/// Runs `work` with this process's stderr sent to a file; returns what was written there.
template <typename Work>
std::string capturingStderr(const std::filesystem::path& file, Work work) {
    std::fflush(stderr);
    const int saved = ::dup(2);
    const int target = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(target, 2);
    ::close(target);
    work();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

class FfmpegLog : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_clips = new test::ClipFolder("egmf-fflog");
        ASSERT_TRUE(
            s_clips->ffmpeg("-f lavfi -i testsrc=size=160x120:rate=25 -t 2 -c:v libx264 -preset ultrafast "
                            "-pix_fmt yuv420p {clean.ts}"));
        // Bytes flipped through the middle third (not in the 4-byte TS packet headers): the
        // H.264 decoder conceals and complains, as it does for a clip damaged in transfer.
        auto bytes = s_clips->read("clean.ts");
        for (std::size_t i = bytes.size() / 3; i < 2 * bytes.size() / 3; i += 97) {
            if (i % 188 > 4) bytes[i] ^= 0x5a;
        }
        std::ofstream((*s_clips) / "damaged.ts", std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    static void TearDownTestSuite() {
        delete s_clips;
        s_clips = nullptr;
    }
    static Result<DecodeResult> decode(const std::string& name) {
        DecodeRequest request;
        request.videoFramesPerSecond = kEveryFrame;
        request.decoderThreads = 2;  // FFmpeg's own worker threads log too
        return decodeClip((*s_clips) / name, request);
    }
    static inline test::ClipFolder* s_clips = nullptr;
};

TEST_F(FfmpegLog, warningsGoToTheirClip_notToStderr_evenWithTwoClipsAtOnce) {
    Result<DecodeResult> damaged = makeError(ErrorCode::Internal, "not run");
    Result<DecodeResult> clean = makeError(ErrorCode::Internal, "not run");
    const auto printed = capturingStderr((*s_clips) / "stderr.txt", [&] {
        std::thread other([&] { clean = decode("clean.ts"); });
        damaged = decode("damaged.ts");
        other.join();
    });
    ASSERT_TRUE(damaged.ok()) << damaged.error().message;
    ASSERT_TRUE(clean.ok()) << clean.error().message;
    EXPECT_EQ(printed.find("@ 0x"), std::string::npos) << "FFmpeg printed on stderr:\n" << printed;
    const auto& lines = damaged->warnings;
    EXPECT_GE(countFfmpegLines(lines), 1u) << "the damaged clip's decoder errors are its warnings";
    EXPECT_LE(countFfmpegLines(lines), ClipLog::kMaxMessages + 1) << "a few, then a count of the rest";
    bool namesTheDecoder = false;
    for (const auto& line : lines) namesTheDecoder = namesTheDecoder || line.rfind("FFmpeg (h264)", 0) == 0;
    EXPECT_TRUE(namesTheDecoder);
    EXPECT_EQ(countFfmpegLines(clean->warnings), 0u)
        << "another clip's messages leaked into the clean one: " << (clean->warnings.empty() ? "" : clean->warnings.front());
    for (const auto& line : lines) std::printf("[ fflog    ] %s\n", line.c_str());
}

TEST_F(FfmpegLog, verbose_printsFfmpegsOwnLines) {
    setMediaLogVerbose(true);
    const auto printed = capturingStderr((*s_clips) / "stderr-verbose.txt", [&] { (void)decode("damaged.ts"); });
    setMediaLogVerbose(false);
    EXPECT_NE(printed.find("[h264 @ 0x"), std::string::npos) << printed.substr(0, 400);
}

TEST(ClipLogRouting, messagesOfNoClip_areKeptAside) {
    std::size_t before = 0, after = 0;
    (void)unattributedMediaMessages(&before);
    installFfmpegLog();
    av_log(nullptr, AV_LOG_WARNING, "a message about no clip in particular\n");
    const auto kept = unattributedMediaMessages(&after);
    EXPECT_EQ(after, before + 1);
    ASSERT_FALSE(kept.empty());
    EXPECT_EQ(kept.back(), "FFmpeg: a message about no clip in particular");
}

}  // namespace
}  // namespace egmf::media
