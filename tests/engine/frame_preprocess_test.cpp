// Frame preprocessing from YUV 4:2:0 (engine/src/frames/yuv_preprocess.h): the CPU path against the
// ffmpeg CLI's own YUV -> RGB (a frame with no crop or resize, nearest chroma), against the
// committed fixtures it made (tests/data/frames; EGMF_WRITE_FRAME_FIXTURES=1 writes them again), and
// the CUDA kernel against the same fixtures within 1e-3 where this build has it and a GPU is there.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "frames/yuv_preprocess.h"
#include "test_support.h"

#ifdef EGMF_HAS_CUDA_KERNELS
#include <ATen/ATen.h>

#include "egmf/build_info.h"
#endif

namespace egmf {
namespace {

namespace fs = std::filesystem;
using frames::CropBox;
using frames::Normalisation;
using frames::Yuv420Frame;

const fs::path kFixtures = test::sourceDir() / "tests/data/frames";
constexpr int kWidth = 96, kHeight = 64;

std::vector<std::uint8_t> readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Yuv420Frame frameOf(const std::vector<std::uint8_t>& yuv, int width, int height) {
    const auto* y = yuv.data();
    const auto* u = y + width * height;
    const auto* v = u + (width / 2) * (height / 2);
    return {width, height, y, u, v, width, width / 2, width / 2};
}

struct FixtureCase {
    const char* name;
    CropBox box;
    int out;
    Normalisation norm;
};

// A face-sized crop inside the frame; a box reaching past the top-left edge (clamped), upscaled;
// the whole frame to 64 with face-api's channel means and a scale.
const FixtureCase kCases[] = {
    {"inside", {10, 8, 40, 40}, 32, {}},
    {"edges", {-8, -4, 60, 50}, 24, {}},
    {"whole_normalised", {0, 0, kWidth, kHeight}, 64, {{122.782f, 117.001f, 104.298f}, {255.0f, 255.0f, 255.0f}}},
};

std::vector<float> readFloats(const fs::path& file) {
    const auto bytes = readBytes(file);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

#if EGMF_HAS_FFMPEG_CLI
// The ffmpeg CLI makes the frame (testsrc2, yuv420p) and its own RGB of it; with nearest chroma
// and accurate rounding, swscale's BT.601 conversion and ours differ by rounding only.
TEST(Frames, cpuColour_equalsTheFfmpegCli_onAWholeFrame) {
    test::TempDir dir;
    const auto yuvFile = dir.path() / "frame.yuv", rgbFile = dir.path() / "frame.rgb";
    const auto make = "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=" + std::to_string(kWidth) + "x" +
                      std::to_string(kHeight) + ":rate=1 -frames:v 1 -pix_fmt yuv420p -f rawvideo '" + yuvFile.string() + "'";
    ASSERT_EQ(std::system(make.c_str()), 0);
    const auto convert = "ffmpeg -nostdin -hide_banner -loglevel error -y -f rawvideo -pix_fmt yuv420p -s " + std::to_string(kWidth) +
                         "x" + std::to_string(kHeight) + " -i '" + yuvFile.string() +
                         "' -sws_flags neighbor+accurate_rnd+full_chroma_int -pix_fmt rgb24 -f rawvideo '" + rgbFile.string() + "'";
    ASSERT_EQ(std::system(convert.c_str()), 0);
    const auto yuv = readBytes(yuvFile), rgb = readBytes(rgbFile);
    ASSERT_EQ(yuv.size(), static_cast<std::size_t>(kWidth * kHeight * 3 / 2));
    ASSERT_EQ(rgb.size(), static_cast<std::size_t>(kWidth * kHeight * 3));
    // A square box at its own size is the identity resize (every sample lands on a pixel centre):
    // the first height x height pixels, converted only.
    double worst = 0, total = 0;
    std::vector<float> square;
    frames::preprocessYuv420(frameOf(yuv, kWidth, kHeight), {0, 0, kHeight, kHeight}, kHeight, {}, square);
    for (int i = 0; i < kHeight; ++i) {
        for (int j = 0; j < kHeight; ++j) {
            for (int c = 0; c < 3; ++c) {
                const double d = std::abs(square[(static_cast<std::size_t>(i) * kHeight + j) * 3 + c] -
                                          rgb[(static_cast<std::size_t>(i) * kWidth + j) * 3 + c]);
                worst = std::max(worst, d);
                total += d;
            }
        }
    }
    const double mean = total / (kHeight * kHeight * 3);
    EXPECT_LE(worst, 0.501) << "largest difference from swscale (which rounds to whole levels), in 8-bit levels";
    EXPECT_LT(mean, 0.3);
    std::printf("ours vs ffmpeg rgb24: largest difference %.2f levels, mean %.3f\n", worst, mean);
}
#endif

TEST(Frames, cpuPath_equalsTheCommittedFixtures) {
    const auto yuv = readBytes(kFixtures / "testsrc2_96x64.yuv");
    const bool write = std::getenv("EGMF_WRITE_FRAME_FIXTURES") != nullptr;
    ASSERT_EQ(yuv.size(), static_cast<std::size_t>(kWidth * kHeight * 3 / 2)) << "tests/data/frames/README.md says how to make it";
    for (const auto& c : kCases) {
        std::vector<float> ours;
        frames::preprocessYuv420(frameOf(yuv, kWidth, kHeight), c.box, c.out, c.norm, ours);
        const auto file = kFixtures / (std::string(c.name) + ".f32");
        if (write) {
            std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(ours.data()),
                                                         static_cast<std::streamsize>(ours.size() * sizeof(float)));
        }
        const auto expected = readFloats(file);
        ASSERT_EQ(expected.size(), ours.size()) << c.name;
        for (std::size_t k = 0; k < ours.size(); ++k) ASSERT_NEAR(ours[k], expected[k], 1e-5) << c.name << " value " << k;
    }
}

#ifdef EGMF_HAS_CUDA_KERNELS
TEST(FramesCuda, kernel_equalsTheCpuPathsFixtures_within1e3) {
    if (!cudaAvailable()) GTEST_SKIP() << "this build has the CUDA kernel but no GPU is visible";
    const auto yuv = readBytes(kFixtures / "testsrc2_96x64.yuv");
    ASSERT_EQ(yuv.size(), static_cast<std::size_t>(kWidth * kHeight * 3 / 2));
    const auto planes = at::from_blob(const_cast<std::uint8_t*>(yuv.data()), {static_cast<std::int64_t>(yuv.size())}, at::kByte)
                            .to(at::kCUDA);
    const auto host = frameOf(yuv, kWidth, kHeight);
    auto device = host;
    const auto* base = planes.data_ptr<std::uint8_t>();
    device.y = base;
    device.u = base + (host.u - host.y);
    device.v = base + (host.v - host.y);
    for (const auto& c : kCases) {
        auto out = at::empty({c.out, c.out, 3}, at::TensorOptions().dtype(at::kFloat).device(at::kCUDA));
        const auto error = frames::preprocessYuv420Cuda(device, c.box, c.out, c.norm, out.data_ptr<float>());
        ASSERT_TRUE(error.empty()) << error;
        const auto expected = readFloats(kFixtures / (std::string(c.name) + ".f32"));
        const auto got = out.cpu().contiguous();
        ASSERT_EQ(static_cast<std::size_t>(got.numel()), expected.size()) << c.name;
        double worst = 0;
        const auto* values = got.data_ptr<float>();
        for (std::size_t k = 0; k < expected.size(); ++k) worst = std::max(worst, static_cast<double>(std::abs(values[k] - expected[k])));
        EXPECT_LE(worst, 1e-3) << c.name;
        std::printf("CUDA kernel vs the CPU path, %s: largest difference %.3g\n", c.name, worst);
    }
}
#endif

}  // namespace
}  // namespace egmf
