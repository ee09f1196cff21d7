// The containers, codecs and shapes that phones, desktops and datasets produce, each clip made at
// test time by the ffmpeg CLI and decoded by us and by the CLI: every video frame (RGB24, within
// rounding) and the audio (16 kHz mono, as `ffmpeg -ac 1 -ar 16000` gives it) must agree, so an
// empty or sideways decode cannot pass.
//
// Covered, each value at least once and sizes x pixel formats pairwise (valid combinations only; testsrc, which keeps odd sizes):
//   containers   mp4 mov mkv webm avi m4a wav mp3
//   video        H.264 8-bit, H.264 10-bit, HEVC, VP9, AV1, MPEG-4, MJPEG; none
//   pixel format yuv420p, yuv420p10le, yuv422p, yuv444p, yuvj420p, yuvj422p, yuvj444p
//   sizes        odd (175x97, 321x179, 99x77), narrow (16x480, 64x360), portrait (240x426,
//                130x250), plain (320x240, 352x288, 200x150, 198x110, 160x90)
//   rotation     0, 90, 180, 270 (mp4/mov display matrix)
//   audio        AAC, Opus, MP3, PCM 16/24-bit, FLAC; 1, 2, 6 channels; 8 to 96 kHz; none
//   timing       variable frame rate; clips shorter than 0.3 s; cover art (m4a, mp3) that is not video
#include <cmath>
#include <cstring>
#include <ostream>

#include <gtest/gtest.h>

#include "clip_fixture.h"
#include "egmf/app/media_file.h"

namespace egmf::media {
namespace {

struct FormatCase {
    const char* name;    ///< the clip's file name (its extension picks the container)
    const char* size;    ///< of the picture (testsrc2)
    const char* video;   ///< input + codec arguments for the picture ("" for none)
    const char* audio;   ///< input + codec arguments for the sound ("" for none)
    const char* rotate;  ///< display-matrix tag written by a stream copy ("" for none)
    double seconds;
};

const FormatCase kCases[] = {
    {"h264_aac_stereo.mp4", "320x240", "-c:v libx264 -preset ultrafast -pix_fmt yuv420p", "-c:a aac -ac 2 -ar 44100", "", 0.5},
    {"h264_10bit_rot90.mp4", "198x110", "-c:v libx264 -preset ultrafast -pix_fmt yuv420p10le", "-c:a aac -ac 1 -ar 8000", "90", 0.5},
    {"hevc_pcm6_rot180.mov", "240x426", "-c:v libx265 -preset ultrafast -pix_fmt yuv420p -x265-params log-level=error",
     "-c:a pcm_s16le -ac 6 -ar 48000", "180", 0.5},
    {"h264_444_odd_rot270.mov", "175x97", "-c:v libx264 -preset ultrafast -pix_fmt yuv444p", "-c:a aac -ac 2 -ar 96000", "270", 0.5},
    {"vp9_odd_opus6.mkv", "321x179", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv420p", "-c:a libopus -ac 6 -ar 48000", "",
     0.5},
    {"vp9_422_narrow.webm", "64x360", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv422p", "-c:a libopus -ac 1 -ar 16000", "",
     0.5},
    {"av1_opus.webm", "160x90", "-c:v libaom-av1 -cpu-used 8 -pix_fmt yuv420p", "-c:a libopus -ac 2 -ar 24000", "", 0.5},
    {"av1_10bit_flac96k.mkv", "130x250", "-c:v libaom-av1 -cpu-used 8 -pix_fmt yuv420p10le", "-c:a flac -ac 2 -ar 96000", "", 0.4},
    {"mpeg4_mp3.avi", "352x288", "-c:v mpeg4 -q:v 3 -pix_fmt yuv420p", "-c:a libmp3lame -ac 2 -ar 22050", "", 0.5},
    {"mjpeg_422_pcm8k.avi", "200x150", "-c:v mjpeg -q:v 3 -pix_fmt yuvj422p", "-c:a pcm_s16le -ac 1 -ar 8000", "", 0.5},
    {"mjpeg_444_odd_flac6.mkv", "99x77", "-c:v mjpeg -q:v 3 -pix_fmt yuvj444p", "-c:a flac -ac 6 -ar 44100", "", 0.5},
    {"mjpeg_420_portrait.mov", "130x250", "-c:v mjpeg -q:v 3 -pix_fmt yuvj420p", "-c:a pcm_s24le -ac 2 -ar 32000", "90", 0.5},
    {"mpeg4_vfr_mp3.mp4", "320x240", "-c:v mpeg4 -q:v 3 -pix_fmt yuv420p -fps_mode vfr", "-c:a libmp3lame -ac 1 -ar 48000", "", 0.6},
    {"h264_narrow_short_videoonly.mp4", "16x480", "-c:v libx264 -preset ultrafast -pix_fmt yuv420p", "", "", 0.2},
    {"hevc_10bit_portrait_short.mkv", "240x426", "-c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -x265-params log-level=error",
     "-c:a libopus -ac 1 -ar 48000", "", 0.25},
    {"aac_cover.m4a", "", "", "-c:a aac -ac 2 -ar 32000", "", 0.5},
    {"mp3_cover.mp3", "", "", "-c:a libmp3lame -ac 1 -ar 16000", "", 0.5},
    {"pcm24_96k_6ch.wav", "", "", "-c:a pcm_s24le -ac 6 -ar 96000", "", 0.5},
};

// gtest (and so ctest's test names) print the case by its file name, not its bytes.
void PrintTo(const FormatCase& c, std::ostream* out) {
    *out << c.name;
}

std::vector<float> asFloats(const std::vector<std::uint8_t>& bytes) {
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

class FormatMatrix : public ::testing::TestWithParam<FormatCase> {
protected:
    static void SetUpTestSuite() { s_clips = new test::ClipFolder("egmf-formats"); }
    static void TearDownTestSuite() {
        delete s_clips;
        s_clips = nullptr;
    }
    static inline test::ClipFolder* s_clips = nullptr;
};

TEST_P(FormatMatrix, decodesLikeTheFfmpegCli) {
    const FormatCase& c = GetParam();
    auto& clips = *s_clips;
    const std::string name = c.name;
    const bool hasVideo = *c.video != '\0', hasAudio = *c.audio != '\0';
    const bool cover = name.find("_cover.") != std::string::npos;
    std::string inputs = hasVideo ? std::string("-f lavfi -i testsrc=size=") + c.size + ":rate=25 " : "";
    if (hasAudio) inputs += "-f lavfi -i \"aevalsrc=0.4*sin(2*PI*(220+300*t)*t)|0.3*sin(2*PI*330*t):s=48000\" ";
    std::string maps;
    if (cover) {
        inputs += "-i /usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png ";
        maps = "-map 0 -map 1 -c:v " + std::string(name.ends_with(".m4a") ? "png" : "mjpeg") + " -disposition:v attached_pic ";
    }
    // Variable frame rate: every third frame 20 ms late.
    const std::string vfr = name == "mpeg4_vfr_mp3.mp4" ? "-vf \"setpts='(N/25+0.02*eq(mod(N,3),1))/TB'\" " : "";
    const std::string encoded = *c.rotate ? "plain_" + name : name;
    ASSERT_TRUE(clips.ffmpeg(inputs + maps + vfr + c.video + " " + c.audio + " -t " + std::to_string(c.seconds) + " {" + encoded + "}"));
    if (*c.rotate) {
        ASSERT_TRUE(clips.ffmpeg("-i {" + encoded + "} -c copy -metadata:s:v:0 rotate=" + c.rotate + " {" + name + "}"));
    }

    DecodeRequest request;
    request.videoFramesPerSecond = kEveryFrame;
    auto ours = decodeClip(clips / name, request);
    ASSERT_TRUE(ours.ok()) << ours.error().message;
    EXPECT_EQ(ours->info.hasVideo, hasVideo && !cover);
    EXPECT_EQ(ours->info.hasAudio, hasAudio);

    if (hasVideo && !cover) {
        ASSERT_TRUE(clips.ffmpeg("-i {" + name + "} -an -fps_mode passthrough -f rawvideo -pix_fmt rgb24 {" + name + ".rgb}"));
        const auto cli = clips.read(name + ".rgb");
        const auto& frames = ours->frames;
        ASSERT_FALSE(frames.empty());
        const std::size_t frameBytes = frames.front().pixels.size();
        EXPECT_EQ(static_cast<std::size_t>(frames.front().width) * frames.front().height * 3, frameBytes);
        EXPECT_EQ(frames.front().width, ours->info.width);
        EXPECT_EQ(frames.front().height, ours->info.height);
        ASSERT_EQ(cli.size(), frames.size() * frameBytes)
            << frames.size() << " frames of " << frames.front().width << "x" << frames.front().height << "; the CLI's size differs";
        double worst = 0;
        for (std::size_t k = 0; k < frames.size(); ++k) {
            const std::vector<std::uint8_t> theirs(cli.begin() + static_cast<std::ptrdiff_t>(k * frameBytes),
                                                   cli.begin() + static_cast<std::ptrdiff_t>((k + 1) * frameBytes));
            worst = std::max(worst, test::meanAbsoluteDifference(frames[k].pixels, theirs));
        }
        EXPECT_LE(worst, 0.5) << "mean absolute difference of the worst frame";
        std::printf("[ formats  ] %s: %zu frames %dx%d, worst frame %.3f levels from the CLI\n", c.name, frames.size(),
                    frames.front().width, frames.front().height, worst);
    }
    if (hasAudio) {
        ASSERT_TRUE(clips.ffmpeg("-i {" + name + "} -vn -ac 1 -ar 16000 -f f32le {" + name + ".f32}"));
        const auto cli = asFloats(clips.read(name + ".f32"));
        const auto& samples = ours->audio.samples;
        ASSERT_FALSE(samples.empty());
        EXPECT_NEAR(static_cast<double>(samples.size()), static_cast<double>(cli.size()), 16.0);
        double largest = 0;
        for (std::size_t i = 0; i < std::min(samples.size(), cli.size()); ++i) {
            largest = std::max(largest, static_cast<double>(std::fabs(samples[i] - cli[i])));
        }
        EXPECT_LE(largest, 1e-4) << "our 16 kHz mono differs from ffmpeg -ac 1 -ar 16000";
        std::printf("[ formats  ] %s: %zu samples (CLI %zu), largest difference %.3g\n", c.name, samples.size(), cli.size(), largest);
    }
}

std::string caseName(const ::testing::TestParamInfo<FormatCase>& info) {
    std::string name = info.param.name;
    for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Clips, FormatMatrix, ::testing::ValuesIn(kCases), caseName);

}  // namespace
}  // namespace egmf::media
