// FFmpeg decoding on clips made at test time by the ffmpeg CLI, and on damaged ones: every bad
// input gives an error naming the file or an empty stream with a warning, never a crash or hang.
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/app/media_file.h"
#include "egmf/paths.h"

namespace egmf::media {
namespace {

namespace fs = std::filesystem;

class MediaFile : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = fs::temp_directory_path() / ("egmf-media-" + std::to_string(::getpid()));
        fs::create_directories(s_dir);
        const std::string ff = "ffmpeg -hide_banner -loglevel error -y ";
        run(ff +
            "-f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 "
            "-t 1.2 -ac 2 -c:v libx264 -pix_fmt yuv420p -c:a aac " +
            path("clip.mp4"));
        run(ff + "-f lavfi -i sine=frequency=300:sample_rate=22050 -t 0.7 " + path("speech.wav"));
        // 3 s with keyframes 1.6 s apart and a chirp (no two moments sound alike): for seeking.
        run(ff +
            "-f lavfi -i testsrc=size=96x64:rate=25 -f lavfi -i \"aevalsrc=sin(2*PI*(200+150*t)*t):s=44100\" "
            "-t 3 -c:v libx264 -g 40 -keyint_min 40 -pix_fmt yuv420p -c:a aac " +
            path("long.mp4"));
        run(ff + "-i " + path("clip.mp4") + " -frames:v 1 -f rawvideo -pix_fmt yuv420p " + path("frame0.yuv"));
        run(ff + "-f lavfi -i testsrc=size=64x48:rate=10 -t 1.0 -c:v libx264 -pix_fmt yuv420p " + path("silent.mp4"));
        // What the CLI makes of the clip's audio at 16 kHz mono, and its first video frame.
        run(ff + "-i " + path("clip.mp4") + " -vn -ac 1 -ar 16000 -f f32le " + path("clip.f32"));
        run(ff + "-i " + path("clip.mp4") + " -frames:v 1 -f rawvideo -pix_fmt rgb24 " + path("frame0.pixels"));
        std::ofstream(s_dir / "garbage.mp4") << std::string(4096, '\x5a') << "not a video";
        // A WAV whose header claims 788 MHz (found by fuzz_media: swresample took 1.6 GB on it).
        auto wav = read(s_dir / "speech.wav");
        const std::uint32_t absurdRate = 788537152;
        std::memcpy(wav.data() + 24, &absurdRate, 4);
        std::ofstream(s_dir / "absurd_rate.wav", std::ios::binary)
            .write(reinterpret_cast<const char*>(wav.data()), static_cast<std::streamsize>(wav.size()));
        std::ofstream(s_dir / "empty.mp4");
        const auto whole = read(s_dir / "clip.mp4");
        std::ofstream(s_dir / "truncated.mp4", std::ios::binary)
            .write(reinterpret_cast<const char*>(whole.data()), static_cast<std::streamsize>(whole.size() * 6 / 10));
    }
    static void TearDownTestSuite() { removeTree(s_dir); }

    static std::string path(const std::string& name) { return "'" + (s_dir / name).string() + "'"; }
    static void run(const std::string& command) {
        ASSERT_EQ(std::system(command.c_str()), 0) << command << " (scripts/setup.sh installs ffmpeg)";
    }
    static std::vector<std::uint8_t> read(const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    static DecodeRequest audioAndVideo() {
        DecodeRequest request;
        request.videoFramesPerSecond = 4.0;
        return request;
    }
    static inline fs::path s_dir;
};

TEST_F(MediaFile, decodeClip_givesAudioLikeTheFfmpegCli) {
    auto result = decodeClip(s_dir / "clip.mp4", audioAndVideo());
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& info = result->info;
    EXPECT_TRUE(info.hasAudio);
    EXPECT_TRUE(info.hasVideo);
    EXPECT_EQ(info.audioChannels, 2);
    EXPECT_EQ(info.audioSampleRateHz, 44100);
    EXPECT_EQ(info.width, 160);
    EXPECT_NEAR(info.videoFramesPerSecond, 25.0, 1e-9);
    EXPECT_TRUE(result->warnings.empty()) << result->warnings.front();

    const auto bytes = read(s_dir / "clip.f32");
    std::vector<float> cli(bytes.size() / 4);
    std::memcpy(cli.data(), bytes.data(), cli.size() * 4);
    const auto& ours = result->audio.samples;
    ASSERT_NEAR(static_cast<double>(ours.size()), static_cast<double>(cli.size()), 16.0);
    double largest = 0;
    for (std::size_t i = 0; i < std::min(ours.size(), cli.size()); ++i) {
        largest = std::max(largest, static_cast<double>(std::fabs(ours[i] - cli[i])));
    }
    EXPECT_LE(largest, 1e-4) << "our resampled audio differs from ffmpeg -ac 1 -ar 16000";
    std::printf("[ media    ] %zu samples (CLI %zu), largest difference %.3g\n", ours.size(), cli.size(), largest);
}

TEST_F(MediaFile, decodeClip_samplesFramesAtTheRequestedRate) {
    auto result = decodeClip(s_dir / "clip.mp4", audioAndVideo());
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& frames = result->frames;
    ASSERT_EQ(frames.size(), 5u);  // 0, 0.25, 0.5, 0.75, 1.0 s of a 1.2 s clip
    for (std::size_t k = 0; k < frames.size(); ++k) {
        EXPECT_DOUBLE_EQ(frames[k].timeSec, 0.25 * static_cast<double>(k));
        EXPECT_EQ(frames[k].width, 160);
        EXPECT_EQ(frames[k].height, 120);
        EXPECT_EQ(frames[k].pixels.size(), 160u * 120u * 3u);
    }
    // Frame 0 is the clip's first frame, converted like the CLI converts it.
    const auto reference = read(s_dir / "frame0.pixels");
    ASSERT_EQ(reference.size(), frames[0].pixels.size());
    double total = 0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        total += std::abs(static_cast<int>(reference[i]) - static_cast<int>(frames[0].pixels[i]));
    }
    EXPECT_LE(total / static_cast<double>(reference.size()), 1.0);
    // testsrc moves: later samples differ from the first.
    EXPECT_NE(frames[0].pixels, frames[4].pixels);
}

TEST_F(MediaFile, range_equalsTheWholeDecodeAtThoseTimes_afterSeekingToAnEarlierKeyframe) {
    DecodeRequest whole;
    whole.videoFramesPerSecond = 4.0;
    auto full = decodeClip(s_dir / "long.mp4", whole);
    ASSERT_TRUE(full.ok()) << full.error().message;
    auto request = whole;
    request.startSec = 2.25;  // the keyframe before is at 1.6 s
    request.endSec = 2.75;
    auto range = decodeClip(s_dir / "long.mp4", request);
    ASSERT_TRUE(range.ok()) << range.error().message;
    ASSERT_EQ(range->frames.size(), 2u);  // 2.25 and 2.5
    for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_DOUBLE_EQ(range->frames[k].timeSec, 2.25 + 0.25 * static_cast<double>(k));
        EXPECT_EQ(range->frames[k].pixels, full->frames[9 + k].pixels) << "frame at " << range->frames[k].timeSec;
    }
    const auto& part = range->audio.samples;
    const auto& all = full->audio.samples;
    ASSERT_EQ(part.size(), 8000u);  // 0.5 s at 16 kHz
    double largest = 0.0;
    for (std::size_t i = 0; i < part.size(); ++i) {
        largest = std::max(largest, static_cast<double>(std::abs(part[i] - all[36000 + i])));
    }
    EXPECT_LE(largest, 1e-4) << "the range's audio is not the whole decode's audio from 2.25 s";
    std::printf("[ media    ] range 2.25-2.75 s: 2 frames equal, audio largest difference %.3g\n", largest);
}

TEST_F(MediaFile, everyFrame_givesTheNativeRate_withEachFramesOwnTime) {
    DecodeRequest request;
    request.audio = false;
    request.videoFramesPerSecond = kEveryFrame;
    auto result = decodeClip(s_dir / "clip.mp4", request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->frames.size(), 30u);  // 1.2 s at 25 fps, as ffprobe counts them
    for (std::size_t k = 0; k < result->frames.size(); ++k) {
        EXPECT_NEAR(result->frames[k].timeSec, 0.04 * static_cast<double>(k), 1e-6);
    }
    request.startSec = 0.5;
    request.endSec = 0.7;
    auto range = decodeClip(s_dir / "clip.mp4", request);
    ASSERT_TRUE(range.ok());
    ASSERT_EQ(range->frames.size(), 5u);  // 0.52 ... 0.68 s
    EXPECT_EQ(range->frames.front().pixels, result->frames[13].pixels);
}

TEST_F(MediaFile, sampledFrames_equalTheLatestFrameOfAnEveryFrameDecode_thoughUnseenFramesAreSkipped) {
    // x264's default stream has non-reference B-frames; sampling skips those no sample shows.
    DecodeRequest every;
    every.audio = false;
    every.videoFramesPerSecond = kEveryFrame;
    auto all = decodeClip(s_dir / "long.mp4", every);
    ASSERT_TRUE(all.ok()) << all.error().message;
    for (const double fps : {4.0, 3.0, 7.5}) {
        DecodeRequest sampled = every;
        sampled.videoFramesPerSecond = fps;
        auto some = decodeClip(s_dir / "long.mp4", sampled);
        ASSERT_TRUE(some.ok()) << some.error().message;
        ASSERT_GE(some->frames.size(), static_cast<std::size_t>(2.9 * fps));
        for (const auto& frame : some->frames) {
            const VideoFrame* latest = nullptr;
            for (const auto& candidate : all->frames) {
                if (candidate.timeSec <= frame.timeSec + 1e-9) latest = &candidate;
            }
            ASSERT_NE(latest, nullptr);
            EXPECT_TRUE(frame.pixels == latest->pixels) << fps << " fps, sample at " << frame.timeSec << " s";
        }
    }
}

TEST_F(MediaFile, hostileHeader_askingForGigabytes_isAnErrorNotAnAllocation) {
    // fuzz_media's find: a 3.7 KB MP4 whose sample table made the demuxer allocate 2.1 GB.
    const auto bytes = read(test::sourceDir() / "tests/fuzz/corpus/media/regression_2gb_sample_table.bin");
    ASSERT_FALSE(bytes.empty());
    auto result = decodeMemory(bytes, "hostile.mp4", audioAndVideo());
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("hostile.mp4"), std::string::npos) << result.error().message;
}

TEST_F(MediaFile, yuvFrames_keepTheDecodersPlanes) {
    auto request = audioAndVideo();
    request.pixelFormat = PixelFormat::Yuv420p;
    auto result = decodeClip(s_dir / "clip.mp4", request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& frame = result->frames.front();
    EXPECT_EQ(frame.format, PixelFormat::Yuv420p);
    EXPECT_EQ(frame.pixels, read(s_dir / "frame0.yuv")) << "Y, U, V as ffmpeg -pix_fmt yuv420p writes them";
    int stride = 0;
    EXPECT_EQ(frame.plane(0, &stride), frame.pixels.data());
    EXPECT_EQ(stride, 160);
    EXPECT_EQ(frame.plane(2, &stride), frame.pixels.data() + 160 * 120 + 80 * 60);
    EXPECT_EQ(stride, 80);
    EXPECT_EQ(frame.plane(3), nullptr);
}

TEST_F(MediaFile, decodeClip_scalesFramesDown_whenAskedForAMaximumWidth) {
    auto request = audioAndVideo();
    request.maxFrameWidth = 80;
    auto result = decodeClip(s_dir / "clip.mp4", request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->frames.front().width, 80);
    EXPECT_EQ(result->frames.front().height, 60);
}

TEST_F(MediaFile, decodeClip_warnsAndReturnsEmpty_forAMissingStream) {
    auto audioOnly = decodeClip(s_dir / "speech.wav", audioAndVideo());
    ASSERT_TRUE(audioOnly.ok()) << audioOnly.error().message;
    EXPECT_FALSE(audioOnly->info.hasVideo);
    EXPECT_TRUE(audioOnly->frames.empty());
    EXPECT_NEAR(audioOnly->audio.durationSec(), 0.7, 0.01);
    ASSERT_EQ(audioOnly->warnings.size(), 1u);
    EXPECT_NE(audioOnly->warnings[0].find("no video stream"), std::string::npos);

    auto videoOnly = decodeClip(s_dir / "silent.mp4", audioAndVideo());
    ASSERT_TRUE(videoOnly.ok()) << videoOnly.error().message;
    EXPECT_TRUE(videoOnly->audio.samples.empty());
    EXPECT_EQ(videoOnly->frames.size(), 4u);
    EXPECT_NE(videoOnly->warnings.at(0).find("no audio stream"), std::string::npos);
}

TEST_F(MediaFile, decodeClip_failsWithTheFileName_forBadFiles) {
    for (const char* name : {"garbage.mp4", "empty.mp4", "missing.mp4"}) {
        auto result = decodeClip(s_dir / name, audioAndVideo());
        ASSERT_FALSE(result.ok()) << name;
        EXPECT_NE(result.error().message.find((s_dir / name).string()), std::string::npos);
    }
    EXPECT_EQ(decodeClip(s_dir / "missing.mp4", {}).error().code, ErrorCode::NotFound);
}

TEST_F(MediaFile, decodeClip_refusesAudioNoRecordingHas) {
    auto result = decodeClip(s_dir / "absurd_rate.wav", {});
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("788537152 Hz"), std::string::npos) << result.error().message;
}

TEST_F(MediaFile, decodeClip_decodesWhatItCan_fromATruncatedFile) {
    auto result = decodeClip(s_dir / "truncated.mp4", audioAndVideo());
    // mp4 keeps its index at the end by default: either a clear error or a partial decode.
    if (result.ok()) {
        EXPECT_LE(result->audio.durationSec(), 1.3);
    } else {
        EXPECT_NE(result.error().message.find("truncated.mp4"), std::string::npos);
    }
}

TEST_F(MediaFile, limits_refuseLargeFrames_andCapLongAudio) {
    MediaLimits small;
    small.maxPixels = 100;
    auto refused = decodeClip(s_dir / "clip.mp4", audioAndVideo(), small);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("160x120"), std::string::npos);

    MediaLimits shortLimit;
    shortLimit.maxDecodedSeconds = 0.5;
    auto capped = decodeClip(s_dir / "clip.mp4", audioAndVideo(), shortLimit);
    ASSERT_TRUE(capped.ok()) << capped.error().message;
    EXPECT_EQ(capped->audio.samples.size(), 8000u);
    EXPECT_LE(capped->frames.size(), 2u);
    EXPECT_FALSE(capped->warnings.empty());
}

TEST_F(MediaFile, onFrame_receivesTheSameFrames_asTheResultHolds) {
    auto request = audioAndVideo();
    std::vector<VideoFrame> streamed;
    request.onFrame = [&](const VideoFrame& frame) { streamed.push_back(frame); };
    auto viaCallback = decodeClip(s_dir / "clip.mp4", request);
    auto kept = decodeClip(s_dir / "clip.mp4", audioAndVideo());
    ASSERT_TRUE(viaCallback.ok() && kept.ok());
    EXPECT_TRUE(viaCallback->frames.empty());
    ASSERT_EQ(streamed.size(), kept->frames.size());
    for (std::size_t k = 0; k < streamed.size(); ++k) {
        EXPECT_EQ(streamed[k].timeSec, kept->frames[k].timeSec);
        EXPECT_EQ(streamed[k].pixels, kept->frames[k].pixels);
    }
}

TEST_F(MediaFile, decodeMemory_equalsDecodeClip) {
    const auto bytes = read(s_dir / "clip.mp4");
    auto fromMemory = decodeMemory(bytes, "clip.mp4 (memory)", audioAndVideo());
    auto fromFile = decodeClip(s_dir / "clip.mp4", audioAndVideo());
    ASSERT_TRUE(fromMemory.ok()) << fromMemory.error().message;
    ASSERT_TRUE(fromFile.ok());
    EXPECT_EQ(fromMemory->audio.samples, fromFile->audio.samples);
    ASSERT_EQ(fromMemory->frames.size(), fromFile->frames.size());
    EXPECT_EQ(fromMemory->frames[2].pixels, fromFile->frames[2].pixels);
}

}  // namespace
}  // namespace egmf::media
