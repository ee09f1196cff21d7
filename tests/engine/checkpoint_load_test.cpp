// Native checkpoints: a saved model loads back identically; a checkpoint that does not fit its
// manifest fails with every missing, unexpected and wrong-shape key listed.
#include <fstream>

#include <gtest/gtest.h>

#include "egmf/app/expected_tensors.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "loading/model_target.h"
#include "loading/weights.h"
#include "model/egmf.h"
#include "runtime/native_analyzer.h"
#include "test_support.h"

namespace egmf {
namespace {

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST(CheckpointLoad, randomCheckpoint_loadsBackWithEqualWeights) {
    test::TempDir dir;
    const auto manifest = test::tinyManifest();
    ASSERT_TRUE(createRandomCheckpoint(dir.path(), manifest, 5, RandomInit::Perturbed).ok());
    auto weights = loading::loadTensors(dir.path() / "model.safetensors");
    ASSERT_TRUE(weights.ok());
    EXPECT_TRUE(weights->count("lora.model.layers.1.self_attn.q_proj.lora_B.weight"));
    EXPECT_TRUE(weights->count("llm.lm_head.weight"));
    EXPECT_TRUE(weights->count("enhancer.global.fc1.weight"));
    EXPECT_TRUE(weights->count("context_gru.weight_hh_l0_reverse"));

    auto analyzer = loadNativeCheckpoint(dir.path());
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    auto& native = dynamic_cast<runtime::NativeAnalyzer&>(**analyzer);
    for (const auto& item : native.model().named_parameters(true)) {
        const auto key = loading::checkpointKey(item.key());
        ASSERT_TRUE(weights->count(key)) << key;
        EXPECT_TRUE(at::equal(item.value(), weights->at(key))) << key;
    }
    auto info = inspectCheckpoint(dir.path());
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->tensorCount, static_cast<std::int64_t>(weights->size()));
}

TEST(CheckpointLoad, expectedTensors_equalTheModelsParameters_overVariedManifests) {
    std::vector<Manifest> manifests{test::tinyManifest(), demoManifest()};
    auto variant = test::tinyManifest();
    variant.contextBidirectional = false;
    variant.llm.tieWordEmbeddings = true;
    variant.llm.attentionBias = false;
    variant.llm.headDim = 16;
    variant.lora = LoraConfig{2, 4, 0.0, false, {"k_proj", "o_proj", "up_proj", "down_proj"}};
    variant.audioFeatureDim = 82;
    variant.localKernel = 5;
    variant.expertRatios = {0.3, 0.6, 0.9};
    manifests.push_back(variant);
    variant.lora.reset();
    manifests.push_back(variant);
    for (const auto& manifest : manifests) {
        model::Egmf model(manifest);
        std::vector<std::pair<std::string, std::vector<std::int64_t>>> actual, expected;
        for (const auto& item : model->named_parameters(true)) {
            actual.emplace_back(loading::checkpointKey(item.key()), item.value().sizes().vec());
        }
        for (const auto& tensor : checkpoint::expectedTensors(manifest)) expected.emplace_back(tensor.key, tensor.shape);
        EXPECT_EQ(actual, expected);
    }
}

TEST(CheckpointLoad, strictLoading_listsMissingUnexpectedAndWrongShapeKeys) {
    test::TempDir dir;
    const auto manifest = test::tinyManifest();
    ASSERT_TRUE(createRandomCheckpoint(dir.path(), manifest, 5).ok());
    auto weights = loading::loadTensors(dir.path() / "model.safetensors");
    ASSERT_TRUE(weights.ok());
    weights->erase("fusion.norm_av.bias");
    weights->erase("lora.model.layers.0.self_attn.v_proj.lora_A.weight");
    (*weights)["enhancer.extra.weight"] = at::zeros({2});
    (*weights)["text_proj.weight"] = at::zeros({3, 3});
    ASSERT_TRUE(loading::saveTensors(dir.path() / "model.safetensors", *weights).ok());
    auto analyzer = loadNativeCheckpoint(dir.path());
    ASSERT_FALSE(analyzer.ok());
    const auto& message = analyzer.error().message;
    EXPECT_EQ(analyzer.error().code, ErrorCode::Mismatch);
    EXPECT_NE(message.find("model.safetensors"), std::string::npos);
    EXPECT_NE(message.find("missing keys (2)"), std::string::npos) << message;
    EXPECT_NE(message.find("fusion.norm_av.bias"), std::string::npos);
    EXPECT_NE(message.find("lora.model.layers.0.self_attn.v_proj.lora_A.weight"), std::string::npos);
    EXPECT_NE(message.find("unexpected keys (1)"), std::string::npos);
    EXPECT_NE(message.find("enhancer.extra.weight"), std::string::npos);
    EXPECT_NE(message.find("wrong shapes (1)"), std::string::npos);
    EXPECT_NE(message.find("text_proj.weight: file [3, 3], model [32, 48]"), std::string::npos);
}

TEST(CheckpointLoad, brokenFolders_giveErrorsNamingTheFile) {
    test::TempDir dir;
    auto missing = loadNativeCheckpoint(dir.path());
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("manifest.json"), std::string::npos);

    ASSERT_TRUE(createRandomCheckpoint(dir.path(), test::tinyManifest(), 1).ok());
    writeText(dir.path() / "model.safetensors", "garbage that is not safetensors");
    auto corrupt = loadNativeCheckpoint(dir.path());
    ASSERT_FALSE(corrupt.ok());
    EXPECT_EQ(corrupt.error().code, ErrorCode::Corrupt);
    EXPECT_NE(corrupt.error().message.find("model.safetensors"), std::string::npos);

    writeText(dir.path() / "manifest.json", "{\"architecture\": \"egmf\", ");
    auto badManifest = loadNativeCheckpoint(dir.path());
    ASSERT_FALSE(badManifest.ok());
    EXPECT_NE(badManifest.error().message.find("manifest.json"), std::string::npos);
}

// On a GPU machine (a CUDA LibTorch and a GPU): float32 on CUDA equals CPU, bf16 runs. Elsewhere
// asking for CUDA is refused with a message saying what to do.
TEST(CheckpointLoad, cuda_matchesCpu_orIsRefusedWithoutIt) {
    test::TempDir dir;
    const auto manifest = test::tinyManifest();
    ASSERT_TRUE(createRandomCheckpoint(dir.path(), manifest, 4, RandomInit::Perturbed).ok());
    if (!at::hasCUDA()) {
        auto model = loading::buildModel(manifest, {"cuda", "float32"});
        ASSERT_FALSE(model.ok());
        EXPECT_NE(model.error().message.find("no CUDA"), std::string::npos);
        EXPECT_NE(model.error().message.find("--device cpu"), std::string::npos);
        return;
    }
    const auto dialogue = test::randomDialogue(manifest, {"", "a", "v"}, 3);
    std::atomic<bool> cancel{false};
    auto analyse = [&](const LoadOptions& options) {
        auto analyzer = loadNativeCheckpoint(dir.path(), options);
        EXPECT_TRUE(analyzer.ok()) << analyzer.error().message;
        auto result = (*analyzer)->analyzeDialogue(dialogue, {}, cancel);
        EXPECT_TRUE(result.ok()) << result.error().message;
        return std::move(*result);
    };
    const auto cpu = analyse({"cpu", "float32"});
    const auto cuda = analyse({"cuda", "float32"});
    for (std::size_t i = 0; i < cpu.utterances.size(); ++i) {
        const auto& a = cpu.utterances[i];
        const auto& b = cuda.utterances[i];
        ASSERT_TRUE(b.error.empty()) << b.error;
        for (std::size_t k = 0; k < a.labelLogProbs.size(); ++k) {
            EXPECT_NEAR(a.labelLogProbs[k], b.labelLogProbs[k], 1e-3);
        }
        for (std::size_t j = 0; j < a.gates.gates.values.size(); ++j) {
            EXPECT_NEAR(a.gates.gates.values[j], b.gates.gates.values[j], 1e-4);
        }
    }
    const auto bf16 = analyse({"cuda", "bfloat16"});
    for (const auto& u : bf16.utterances) {
        EXPECT_TRUE(u.error.empty()) << u.error;
        EXPECT_EQ(u.probabilities.size(), manifest.labels.size());
    }
}

TEST(CheckpointLoad, halfPrecision_loadsAndAnalyses) {
    test::TempDir dir;
    ASSERT_TRUE(createRandomCheckpoint(dir.path(), test::tinyManifest(), 3).ok());
    auto analyzer = loadNativeCheckpoint(dir.path(), {"cpu", "bfloat16"});
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(test::randomDialogue(test::tinyManifest(), {"", "a"}, 2), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->utterances.size(), 2u);
    EXPECT_TRUE(result->utterances[0].error.empty()) << result->utterances[0].error;
}

}  // namespace
}  // namespace egmf
