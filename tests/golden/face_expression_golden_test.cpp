// The face-expression port against @vladmandic/face-api's own TF.js code under Node (CPU
// backend): on the astronaut's face (Debian python3-imageio) and on 5 seeded random crops of the
// same picture, logits and the 256-d pooled embedding agree within 1e-4. The bundled weights are
// also checked to be the package's files, byte for byte.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../engine/test_support.h"
#include "egmf/app/face_crop.h"
#include "egmf/app/sha256.h"
#include "egmf/paths.h"
#include "features/face_expression.h"
#include "npm_packages.h"

namespace egmf::features {
namespace {

namespace fs = std::filesystem;
const char* kAstronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

/// The astronaut's face (Haar crop) and 5 random square crops, each 112 x 112 RGB as float.
std::vector<float> makeCrops(int& count) {
    cv::Mat bgr = cv::imread(kAstronaut, cv::IMREAD_COLOR);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    std::vector<std::uint8_t> pixels(rgb.data, rgb.data + rgb.total() * 3);
    auto cropper = FaceCropper::create();
    EXPECT_TRUE(cropper.ok());
    const auto face = cropper->crop(pixels, rgb.cols, rgb.rows).value();
    EXPECT_TRUE(face.faceFound);
    std::vector<float> crops(face.rgb.begin(), face.rgb.end());
    std::mt19937 rng(20261122);
    for (int i = 0; i < 5; ++i) {
        const int side = std::uniform_int_distribution<int>(40, 400)(rng);
        const int x = std::uniform_int_distribution<int>(0, rgb.cols - side)(rng);
        const int y = std::uniform_int_distribution<int>(0, rgb.rows - side)(rng);
        cv::Mat resized;
        cv::resize(rgb(cv::Rect(x, y, side, side)), resized, cv::Size(112, 112), 0, 0, cv::INTER_AREA);
        crops.insert(crops.end(), resized.data, resized.data + 112 * 112 * 3);
    }
    count = 6;
    return crops;
}

TEST(FaceExpressionGolden, logitsAndEmbeddings_equalFaceApiUnderNode) {
    ASSERT_TRUE(fs::exists(kAstronaut)) << "install python3-imageio (scripts/setup.sh)";
    const auto npm = test::installNpmPackages("face-api", {"@vladmandic/face-api@1.7.15"});
    ASSERT_TRUE(npm.failure.empty()) << npm.failure;
    if (!npm.folder) {
        GTEST_SKIP() << npm.skipReason;
    }
    const fs::path package = fs::path(*npm.folder) / "node_modules" / "@vladmandic" / "face-api";
    for (const char* file : {"face_expression_model-weights_manifest.json", "face_expression_model.bin"}) {
        EXPECT_EQ(*sha256File(package / "model" / file), *sha256File(shareDir() / "models" / "face-api" / file))
            << file << " differs from the package's";
    }

    int count = 0;
    const auto crops = makeCrops(count);
    test::TempDir dir;
    const auto input = dir.path() / "crops.f32";
    std::ofstream(input, std::ios::binary)
        .write(reinterpret_cast<const char*>(crops.data()), static_cast<std::streamsize>(crops.size() * sizeof(float)));
    const auto output = dir.path() / "reference.json";
    const auto command = "node " + test::shellQuote(test::sourceDir().string() + "/tests/golden/face_api_reference.mjs") + " " +
                         test::shellQuote(package.string()) + " " + test::shellQuote(input.string()) + " " + std::to_string(count) + " " +
                         test::shellQuote(output.string()) + " >/dev/null 2>&1";
    ASSERT_EQ(test::runCommand(command), 0) << command;
    std::ifstream in(output);
    const auto reference = nlohmann::json::parse(in);

    auto net = FaceExpressionNet::load();
    ASSERT_TRUE(net.ok()) << net.error().message;
    const auto ours = net->forward(at::tensor(crops).reshape({count, 112, 112, 3}));
    double logitDiff = 0.0, embeddingDiff = 0.0;
    for (int i = 0; i < count; ++i) {
        const auto& expected = reference["results"][i];
        const auto logits = at::tensor(expected["logits"].get<std::vector<float>>());
        const auto embedding = at::tensor(expected["embedding"].get<std::vector<float>>());
        logitDiff = std::max(logitDiff, (ours.logits[i] - logits).abs().max().item<double>());
        embeddingDiff = std::max(embeddingDiff, (ours.embedding[i] - embedding).abs().max().item<double>());
    }
    EXPECT_LE(logitDiff, 1e-4);
    EXPECT_LE(embeddingDiff, 1e-4);
    EXPECT_EQ(kExpressionLabels[ours.probabilities[0].argmax().item<int>()], "happy") << "the astronaut smiles";
    std::printf(
        "[ golden   ] face-api %s (%s backend), %d crops: largest logit difference %.3g, "
        "embedding %.3g; astronaut happy = %.4f\n",
        reference["tfjs"].get<std::string>().c_str(), reference["backend"].get<std::string>().c_str(), count, logitDiff, embeddingDiff,
        ours.probabilities[0][1].item<double>());
}

TEST(FaceExpression, load_refusesDamagedWeights_namingTheFile) {
    test::TempDir dir;
    const auto bundled = shareDir() / "models" / "face-api";
    for (const auto& entry : fs::directory_iterator(bundled)) {
        fs::copy_file(entry.path(), dir.path() / entry.path().filename());
    }
    ASSERT_TRUE(FaceExpressionNet::load(dir.path()).ok());
    {
        std::fstream bin(dir.path() / "face_expression_model.bin", std::ios::in | std::ios::out | std::ios::binary);
        bin.seekp(1000);
        bin.put('\x7f');
    }
    auto damaged = FaceExpressionNet::load(dir.path());
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("face_expression_model.bin"), std::string::npos) << damaged.error().message;
    fs::remove(dir.path() / "SHA256SUMS");
    EXPECT_FALSE(FaceExpressionNet::load(dir.path()).ok());
}

}  // namespace
}  // namespace egmf::features
