// Clips as phones and desktops record them: any frame size, a display matrix (rotation), non-square
// pixels and cover art. Every decode equals the ffmpeg CLI's own (which autorotates), a real face is
// found at the widths that once corrupted the heap, and nothing FFmpeg writes lands outside the
// buffers we give it (glibc aborted on a 360-wide clip before; sanitizers cannot see inside FFmpeg).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "clip_fixture.h"
#include "egmf/app/face_crop.h"
#include "egmf/app/media_file.h"
#include "media/frame_converter.h"
#include "media/guarded_planes.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/frame.h>
}

namespace egmf::media {
namespace {

const char* kAstronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

class ClipGeometry : public ::testing::Test {
protected:
    static void SetUpTestSuite() { s_clips = new test::ClipFolder("egmf-geometry"); }
    static void TearDownTestSuite() {
        delete s_clips;
        s_clips = nullptr;
    }
    static test::ClipFolder& clips() { return *s_clips; }

    /// Frame 0 of `clip` as our decoder gives it (RGB, native size unless maxWidth).
    static VideoFrame firstFrame(const std::string& clip, int maxWidth = 0, PixelFormat format = PixelFormat::Rgb24) {
        DecodeRequest request;
        request.audio = false;
        request.videoFramesPerSecond = 4.0;
        request.maxFrameWidth = maxWidth;
        request.pixelFormat = format;
        auto decoded = decodeClip(clips() / clip, request);
        EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
        if (!decoded.ok() || decoded->frames.empty()) return {};
        return decoded->frames.front();
    }
    static inline test::ClipFolder* s_clips = nullptr;
};

TEST_F(ClipGeometry, everyWidth_decodesLikeTheCli_insideItsBuffers) {
    // 360, 362, 200 and 2 wide corrupted the heap (swscale writes whole vectors past a tight row);
    // 1080 (a portrait phone clip) overran without aborting.
    for (const char* size : {"2x64", "200x150", "360x480", "362x270", "1080x720", "1080x1920"}) {
        const std::string clip = std::string("w") + size + ".mp4";
        ASSERT_TRUE(clips().ffmpeg("-f lavfi -i testsrc2=size=" + std::string(size) +
                                   ":rate=25 -t 0.12 -c:v libx264 -preset ultrafast -pix_fmt yuv420p {" + clip + "}"));
        const auto ours = firstFrame(clip);
        const auto cli = clips().cliFirstFrame(clip);
        int width = 0, height = 0;
        std::sscanf(size, "%dx%d", &width, &height);
        EXPECT_EQ(ours.width, width) << size;
        EXPECT_EQ(ours.height, height) << size;
        ASSERT_EQ(ours.pixels.size(), static_cast<std::size_t>(width) * height * 3) << size << ": tightly packed";
        EXPECT_LE(test::meanAbsoluteDifference(ours.pixels, cli), 1.0) << size;
        // Scaled down for detection (the features' path): the same guards, any target width.
        const auto small = firstFrame(clip, 361);
        EXPECT_EQ(small.width, std::min(width, 361)) << size;
    }
}

TEST_F(ClipGeometry, aRealFace_isFound_at360And1080PixelsWide) {
    auto cropper = features::FaceCropper::create();
    ASSERT_TRUE(cropper.ok()) << cropper.error().message;
    for (int width : {360, 1080}) {
        const std::string clip = "face" + std::to_string(width) + ".mp4";
        ASSERT_TRUE(clips().ffmpeg("-loop 1 -i '" + std::string(kAstronaut) + "' -vf scale=" + std::to_string(width) +
                                   ":-2 -t 0.2 -r 25 -c:v libx264 -preset ultrafast -pix_fmt yuv420p {" + clip + "}"));
        const auto frame = firstFrame(clip);
        ASSERT_EQ(frame.width, width);
        auto crop = cropper->crop(frame.pixels, frame.width, frame.height);
        ASSERT_TRUE(crop.ok()) << crop.error().message;
        EXPECT_TRUE(crop->faceFound) << "no face in the astronaut at " << width << " pixels wide";
    }
}

TEST_F(ClipGeometry, aRotatedLosslessCopy_givesTheUprightFramesExactly) {
    // Upright: the astronaut, portrait. Stored sideways (or upside down) with the display matrix
    // that turns it back, losslessly, as a phone stores portrait video.
    ASSERT_TRUE(clips().ffmpeg("-loop 1 -i '" + std::string(kAstronaut) +
                               "' -vf scale=360:480,setsar=1 -t 0.2 -r 25 -c:v libx264 -qp 0 -pix_fmt yuv420p {upright.mp4}"));
    // The CLI reads the tag `rotate=R` as a matrix and undoes it with `undo`; storing `store`
    // makes the displayed picture the upright one.
    struct Case {
        const char* rotate;
        const char* store;
        int degrees;
    };
    for (const Case& c : {Case{"90", "transpose=clock", 270}, Case{"180", "hflip,vflip", 180}, Case{"270", "transpose=cclock", 90}}) {
        const std::string sideways = std::string("stored") + c.rotate + ".mp4";
        const std::string tagged = std::string("rotated") + c.rotate + ".mp4";
        ASSERT_TRUE(
            clips().ffmpeg("-i {upright.mp4} -vf " + std::string(c.store) + " -c:v libx264 -qp 0 -pix_fmt yuv420p {" + sideways + "}"));
        ASSERT_TRUE(clips().ffmpeg("-i {" + sideways + "} -c copy -metadata:s:v:0 rotate=" + c.rotate + " {" + tagged + "}"));
        auto info = probeClip(clips() / tagged);
        ASSERT_TRUE(info.ok()) << info.error().message;
        EXPECT_EQ(info->width, 360) << "displayed size, rotate=" << c.rotate;
        EXPECT_EQ(info->height, 480);
        EXPECT_EQ(info->rotationDegrees, c.degrees);
        for (auto format : {PixelFormat::Rgb24, PixelFormat::Yuv420p}) {
            const auto upright = firstFrame("upright.mp4", 0, format);
            const auto rotated = firstFrame(tagged, 0, format);
            EXPECT_EQ(rotated.width, 360);
            EXPECT_EQ(rotated.height, 480);
            EXPECT_TRUE(rotated.pixels == upright.pixels) << "rotate=" << c.rotate << (format == PixelFormat::Rgb24 ? " RGB" : " YUV");
        }
        EXPECT_LE(test::meanAbsoluteDifference(firstFrame(tagged).pixels, clips().cliFirstFrame(tagged)), 1.0)
            << "the CLI's autorotated picture, rotate=" << c.rotate;
    }
    // Scaled for detection, still to the bit: the planes are turned before swscale (scaling
    // first and turning after differed by 1.06 levels on average: 4:2:0 chroma sits differently
    // across rows than along them).
    const auto scaled = firstFrame("rotated90.mp4", 240);
    EXPECT_EQ(scaled.height, 320);
    EXPECT_TRUE(scaled.pixels == firstFrame("upright.mp4", 240).pixels);
}

// The matrices as mp4 files store them (16.16 fixed point), and what the CLI does with each.
constexpr std::int32_t kOne = 1 << 16, kW = 1 << 30;
constexpr std::int32_t kTagged90[9] = {0, -kOne, 0, kOne, 0, 0, 0, 0, kW};    // rotate=90: transpose=cclock
constexpr std::int32_t kTagged270[9] = {0, kOne, 0, -kOne, 0, 0, 0, 0, kW};   // rotate=270: transpose=clock
constexpr std::int32_t kTagged180[9] = {-kOne, 0, 0, 0, -kOne, 0, 0, 0, kW};  // rotate=180: hflip, vflip
constexpr std::int32_t kMirrored[9] = {0, kOne, 0, kOne, 0, 0, 0, 0, kW};     // transpose=cclock_flip
constexpr std::int32_t kUpsideDown[9] = {kOne, 0, 0, 0, -kOne, 0, 0, 0, kW};  // vflip

TEST_F(ClipGeometry, displayMatrix_isReadAsTheCliReadsIt_flipsIncluded) {
    auto o = orientationFromDisplayMatrix(kTagged90);
    EXPECT_TRUE(o.transpose && !o.flipSourceRows && o.flipSourceColumns);
    EXPECT_EQ(o.rotationDegrees, 270);
    o = orientationFromDisplayMatrix(kTagged270);
    EXPECT_TRUE(o.transpose && o.flipSourceRows && !o.flipSourceColumns);
    EXPECT_EQ(o.rotationDegrees, 90);
    o = orientationFromDisplayMatrix(kTagged180);
    EXPECT_TRUE(!o.transpose && o.flipSourceRows && o.flipSourceColumns);
    o = orientationFromDisplayMatrix(kMirrored);
    EXPECT_TRUE(o.transpose && !o.flipSourceRows && !o.flipSourceColumns);
    o = orientationFromDisplayMatrix(kUpsideDown);
    EXPECT_TRUE(!o.transpose && o.flipSourceRows && !o.flipSourceColumns);
    EXPECT_TRUE(orientationFromDisplayMatrix(nullptr).isIdentity());
    std::int32_t odd[9];
    av_display_rotation_set(odd, 30.0);  // an odd angle: left as stored
    EXPECT_TRUE(orientationFromDisplayMatrix(odd).isIdentity());

    // A mirroring matrix written into a real file (the tkhd box of an mp4 tagged rotate=90):
    // what we decode is what the CLI shows.
    ASSERT_TRUE(
        clips().ffmpeg("-f lavfi -i testsrc2=size=200x120:rate=25 -t 0.12 -c:v libx264 -preset ultrafast "
                       "-pix_fmt yuv420p {untagged.mp4}"));
    // The tag is written when copying (an encode applies it to the pictures and drops it).
    ASSERT_TRUE(clips().ffmpeg("-i {untagged.mp4} -c copy -metadata:s:v:0 rotate=90 {tagged.mp4}"));
    for (const auto* matrix : {kMirrored, kUpsideDown}) {
        auto bytes = clips().read("tagged.mp4");
        std::uint8_t from[36], to[36];
        for (int i = 0; i < 9; ++i) {
            for (int b = 0; b < 4; ++b) {
                from[4 * i + b] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(kTagged90[i]) >> (24 - 8 * b));
                to[4 * i + b] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(matrix[i]) >> (24 - 8 * b));
            }
        }
        const auto at = std::search(bytes.begin(), bytes.end(), std::begin(from), std::end(from));
        ASSERT_NE(at, bytes.end()) << "the rotate=90 matrix in the tkhd box";
        std::copy(std::begin(to), std::end(to), at);
        std::ofstream(clips() / "flipped.mp4", std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        const auto ours = firstFrame("flipped.mp4");
        EXPECT_EQ(ours.width, matrix == kMirrored ? 120 : 200);
        EXPECT_LE(test::meanAbsoluteDifference(ours.pixels, clips().cliFirstFrame("flipped.mp4")), 1.0)
            << (matrix == kMirrored ? "mirrored" : "upside down");
    }
}

TEST_F(ClipGeometry, nonSquarePixels_areShownAtTheirDisplayAspect) {
    ASSERT_TRUE(
        clips().ffmpeg("-f lavfi -i testsrc2=size=160x120:rate=25 -t 0.12 -vf setsar=2 -c:v libx264 "
                       "-preset ultrafast -pix_fmt yuv420p {sar2.mp4}"));
    auto info = probeClip(clips() / "sar2.mp4");
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->width, 320);
    EXPECT_EQ(info->height, 120);
    const auto frame = firstFrame("sar2.mp4");
    ASSERT_EQ(frame.width, 320);
    ASSERT_EQ(frame.height, 120);
    // The CLI scales with other filter taps: within a few levels, not to the bit.
    EXPECT_LE(test::meanAbsoluteDifference(frame.pixels, clips().cliFirstFrame("sar2.mp4", "scale=320:120:flags=bilinear")), 3.0);
}

TEST_F(ClipGeometry, coverArt_isNotAVideoStream) {
    ASSERT_TRUE(clips().ffmpeg("-f lavfi -i sine=frequency=440:duration=0.5 -i '" + std::string(kAstronaut) +
                               "' -map 0 -map 1 -c:a aac -c:v png -disposition:v attached_pic {cover.m4a}"));
    DecodeRequest request;
    request.videoFramesPerSecond = 4.0;
    auto decoded = decodeClip(clips() / "cover.m4a", request);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_FALSE(decoded->info.hasVideo);
    EXPECT_TRUE(decoded->frames.empty());
    EXPECT_NEAR(decoded->audio.durationSec(), 0.5, 0.05);
}

TEST(GuardedPlanes, intact_noticesAWritePastThePadding) {
    GuardedPlanes planes;
    const int rowBytes[3] = {1086, 181, 181}, rows[3] = {480, 240, 240};
    ASSERT_TRUE(planes.reshape(3, rowBytes, rows));
    EXPECT_EQ(planes.lineSize(0) % GuardedPlanes::kLineAlign, 0);
    EXPECT_GE(planes.lineSize(0), 1086);
    // Writing every row in full and the padding after the last one is allowed.
    std::memset(planes.data()[0], 7, static_cast<std::size_t>(planes.lineSize(0)) * 480 + GuardedPlanes::kPadding);
    EXPECT_TRUE(planes.intact());
    planes.data()[1][static_cast<std::size_t>(planes.lineSize(1)) * 240 + GuardedPlanes::kPadding] = 0;
    EXPECT_FALSE(planes.intact()) << "one byte past plane 1's padding";
}

TEST(FrameConverter, aDamagedGuard_isAnErrorNamingTheClip) {
    std::unique_ptr<AVFrame, void (*)(AVFrame*)> frame(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
    frame->width = 362;
    frame->height = 270;
    frame->format = AV_PIX_FMT_YUV420P;
    ASSERT_GE(av_frame_get_buffer(frame.get(), 0), 0);
    for (int p = 0; p < 3; ++p) std::memset(frame->data[p], 128, static_cast<std::size_t>(frame->linesize[p]) * (p ? 135 : 270));
    FrameConverter converter("odd.mp4");
    VideoFrame out;
    ASSERT_TRUE(converter.convert(*frame, 0, PixelFormat::Rgb24, out).ok());
    converter.damageGuardsForTest();
    const auto damaged = converter.convert(*frame, 0, PixelFormat::Rgb24, out);
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("odd.mp4"), std::string::npos) << damaged.error().message;
    EXPECT_NE(damaged.error().message.find("wrote past"), std::string::npos) << damaged.error().message;
}

}  // namespace
}  // namespace egmf::media
