// Face crops on a real face (Debian python3-imageio's astronaut.png, which the Haar frontal-face
// cascade finds) and on frames without one.
#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "egmf/app/face_crop.h"

namespace egmf::features {
namespace {

const char* kAstronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

std::vector<std::uint8_t> loadRgb(const char* path, int& width, int& height) {
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) {
        return {};
    }
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    width = rgb.cols;
    height = rgb.rows;
    return {rgb.data, rgb.data + rgb.total() * 3};
}

TEST(FaceCrop, crop_findsTheAstronautsFace) {
    ASSERT_TRUE(std::filesystem::exists(kAstronaut)) << "install python3-imageio (scripts/setup.sh)";
    auto cropper = FaceCropper::create();
    ASSERT_TRUE(cropper.ok()) << cropper.error().message;
    int width = 0, height = 0;
    const auto rgb = loadRgb(kAstronaut, width, height);
    ASSERT_EQ(width, 512);
    const auto crop = cropper->crop(rgb, width, height).value();
    EXPECT_TRUE(crop.faceFound);
    EXPECT_EQ(crop.size, 112);
    EXPECT_EQ(crop.rgb.size(), 112u * 112u * 3u);
    // The face sits in the upper middle of the picture (about x 160-260, y 60-170).
    const int cx = crop.boxX + crop.boxWidth / 2, cy = crop.boxY + crop.boxHeight / 2;
    EXPECT_GT(cx, 150);
    EXPECT_LT(cx, 280);
    EXPECT_GT(cy, 50);
    EXPECT_LT(cy, 190);
    EXPECT_LT(crop.boxWidth, 250);
}

TEST(FaceCrop, crop_takesTheCentreSquare_whenNoFace) {
    auto cropper = FaceCropper::create();
    ASSERT_TRUE(cropper.ok());
    std::vector<std::uint8_t> gradient(320 * 200 * 3);
    for (std::size_t i = 0; i < gradient.size(); ++i) {
        gradient[i] = static_cast<std::uint8_t>(i % 251);
    }
    const auto crop = cropper->crop(gradient, 320, 200).value();
    EXPECT_FALSE(crop.faceFound);
    EXPECT_EQ(crop.boxX, 60);
    EXPECT_EQ(crop.boxWidth, 200);
    EXPECT_EQ(crop.rgb.size(), 112u * 112u * 3u);
}

TEST(FaceCrop, crop_refusesFramesOfTheWrongSize_andBadCascades) {
    auto cropper = FaceCropper::create();
    ASSERT_TRUE(cropper.ok());
    const auto mismatch = cropper->crop({1, 2, 3}, 10, 10);
    ASSERT_FALSE(mismatch.ok()) << "a buffer that is not width x height x 3 must not become a silent black crop";
    EXPECT_NE(mismatch.error().message.find("10x10"), std::string::npos) << mismatch.error().message;
    EXPECT_FALSE(cropper->crop({}, 0, 0).ok());
    auto missing = FaceCropper::create({}, "/nonexistent/cascade.xml");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("/nonexistent/cascade.xml"), std::string::npos);
}

}  // namespace
}  // namespace egmf::features
