// MERITS-L (docs/merits-l.md) against tools/reference/merits_reference.py (PyTorch's own modules),
// run as its own process on the same checkpoint and inputs: every stage within 1e-4; and the
// analyzer's results (shapes, probabilities, co-attention rows) on a dialogue with a missing
// modality.
#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "../engine/test_support.h"
#include "bench/reference_io.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "loading/weights.h"
#include "runtime/merits_analyzer.h"

namespace egmf {
namespace {
namespace fs = std::filesystem;

Manifest meritsManifest() {
    auto m = test::tinyManifest();
    m.architecture = "merits-l";
    m.lora.reset();
    m.substitutes = {{"text_encoder", "RoBERTa -> LLM embedding rows + one transformer layer"},
                     {"speech_encoder", "CARE -> the log-mel audio branch"}};
    return m;
}

TEST(MeritsGolden, everyStage_equalsPyTorch_withMissingModalities) {
    test::TempDir dir;
    const auto manifest = meritsManifest();
    ASSERT_TRUE(createRandomCheckpoint(dir.path() / "ckpt", manifest, 41, RandomInit::Perturbed).ok());
    auto info = inspectCheckpoint(dir.path() / "ckpt");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.substitutes.size(), 2u);
    auto loaded = loadNativeCheckpoint(dir.path() / "ckpt");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    auto& analyzer = dynamic_cast<runtime::MeritsAnalyzer&>(**loaded);
    const auto dialogue = test::randomDialogue(manifest, {"", "a", "t", "", "v"}, 8);

    std::vector<std::vector<std::int32_t>> ids;
    auto inputs = analyzer.inputs(dialogue, {}, ids);
    ASSERT_TRUE(inputs.ok()) << inputs.error().message;
    std::map<std::string, at::Tensor> written;
    for (std::size_t i = 0; i < inputs->size(); ++i) {
        written["u" + std::to_string(i) + ".text_ids"] = (*inputs)[i].textIds.to(at::kLong);
        written["u" + std::to_string(i) + ".audio"] = (*inputs)[i].audio;
    }
    ASSERT_TRUE(loading::saveTensors(dir.path() / "in.safetensors", written).ok());
    const auto script = test::sourceDir().string() + "/tools/reference/merits_reference.py";
    const auto command = runtime::referencePython() + " '" + script + "' run --checkpoint '" + (dir.path() / "ckpt").string() +
                         "' --inputs '" + (dir.path() / "in.safetensors").string() + "' --outputs '" +
                         (dir.path() / "out.safetensors").string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    auto reference = loading::loadTensors(dir.path() / "out.safetensors");
    ASSERT_TRUE(reference.ok()) << reference.error().message;

    c10::InferenceMode inference;
    const auto out = analyzer.model().forward(*inputs);
    const std::map<std::string, at::Tensor> ours{{"text_utterance", out.textUtterance},
                                                 {"audio_utterance", out.audioUtterance},
                                                 {"text_logits", out.textLogits},
                                                 {"audio_logits", out.audioLogits},
                                                 {"text_context", out.textContext},
                                                 {"audio_context", out.audioContext},
                                                 {"text_context_logits", out.textContextLogits},
                                                 {"audio_context_logits", out.audioContextLogits},
                                                 {"text_to_audio", out.textToAudio},
                                                 {"audio_to_text", out.audioToText},
                                                 {"fused_logits", out.fusedLogits}};
    double largest = 0;
    for (const auto& [name, tensor] : ours) {
        ASSERT_TRUE(reference->count(name)) << name;
        ASSERT_EQ(tensor.sizes(), reference->at(name).sizes()) << name;
        const double difference = (tensor - reference->at(name)).abs().max().item<double>();
        EXPECT_LE(difference, 1e-4) << name;
        largest = std::max(largest, difference);
    }
    EXPECT_EQ(out.textToAudio.sizes(), (at::IntArrayRef{manifest.fusionHeads, 5, 5}));
    EXPECT_EQ(out.fusedLogits.sizes(), (at::IntArrayRef{5, static_cast<std::int64_t>(manifest.labels.size())}));
    EXPECT_TRUE(at::equal(out.audioUtterance[1], at::zeros_like(out.audioUtterance[1]))) << "no audio: a zero utterance vector";
    EXPECT_TRUE(at::equal(out.textUtterance[2], at::zeros_like(out.textUtterance[2]))) << "no text: a zero utterance vector";
    std::printf("[ golden   ] MERITS-L: %zu stage tensors compared, largest difference %.3g\n", ours.size(), largest);
}

TEST(Merits, analyzer_givesProbabilities_andEachUtterancesCoAttentionRows) {
    test::TempDir dir;
    const auto manifest = meritsManifest();
    ASSERT_TRUE(createRandomCheckpoint(dir.path() / "ckpt", manifest, 42, RandomInit::Perturbed).ok());
    auto loaded = loadNativeCheckpoint(dir.path() / "ckpt");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*loaded)->analyzeDialogue(test::randomDialogue(manifest, {"", "a", "at"}, 3), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->utterances.size(), 3u);
    for (const auto& u : result->utterances) {
        double sum = 0;
        for (double p : u.probabilities) sum += p;
        EXPECT_NEAR(sum, 1.0, 1e-5);
        EXPECT_EQ(u.attention.textToAv.shape, (std::vector<std::int64_t>{manifest.fusionHeads, 1, 3}));
        EXPECT_EQ(u.attention.avToText.shape, (std::vector<std::int64_t>{manifest.fusionHeads, 3, 1}));
        EXPECT_EQ(u.prediction, u.scoredPrediction);
    }
    EXPECT_TRUE(result->utterances[0].error.empty());
    EXPECT_NE(result->utterances[2].error.find("nothing to analyse"), std::string::npos) << "no text and no speech";
}

}  // namespace
}  // namespace egmf
