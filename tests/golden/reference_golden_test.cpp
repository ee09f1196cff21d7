// Golden test: the C++ engine against tools/reference/egmf_reference.py (PyTorch's own modules),
// run as its own process on the same checkpoint and the same inputs. Every stage of every
// utterance must agree within 1e-4, and the generated token ids exactly.
#include <cstdio>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "../engine/test_support.h"
#include "bench/reference_io.h"
#include "egmf/checkpoint.h"
#include "loading/weights.h"
#include "runtime/native_analyzer.h"

namespace egmf {
namespace {

constexpr double kReferenceTolerance = 1e-4;

struct GoldenCase {
    std::string name;
    std::vector<std::string> missing;  ///< per utterance, see test::randomDialogue
    AnalyzeOptions options;
};

void compareWithReference(const GoldenCase& c, const Manifest& manifest, std::uint64_t seed) {
    SCOPED_TRACE(c.name);
    test::TempDir dir;
    ASSERT_TRUE(createRandomCheckpoint(dir.path() / "ckpt", manifest, seed, RandomInit::Perturbed).ok());
    auto analyzer = loadNativeCheckpoint(dir.path() / "ckpt");
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    auto& native = dynamic_cast<runtime::NativeAnalyzer&>(**analyzer);
    const auto dialogue = test::randomDialogue(manifest, c.missing, static_cast<unsigned>(seed));

    c10::InferenceMode inference;
    runtime::EgmfRunner runner(native.model(), native.tokenizer());
    std::atomic<bool> cancel{false};
    auto traces = runner.run(dialogue, c.options, cancel);
    ASSERT_TRUE(traces.ok()) << traces.error().message;

    const auto inputs = dir.path() / "inputs.safetensors";
    const auto outputs = dir.path() / "outputs.safetensors";
    ASSERT_TRUE(runtime::writeReferenceInputs(inputs, runner, dialogue, c.options, manifest.prompt.maxNewTokens).ok());
    auto ran = runtime::runReference(runtime::referencePython(), {"run", "--checkpoint", (dir.path() / "ckpt").string(), "--inputs",
                                                                  inputs.string(), "--outputs", outputs.string()});
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    auto reference = loading::loadTensors(outputs);
    ASSERT_TRUE(reference.ok()) << reference.error().message;

    std::size_t compared = 0;
    double largest = 0;
    std::string largestName;
    for (std::size_t i = 0; i < traces->size(); ++i) {
        ASSERT_TRUE((*traces)[i].error.empty()) << (*traces)[i].error;
        for (const auto& [name, ours] : runtime::traceTensors(i, (*traces)[i])) {
            ASSERT_TRUE(reference->count(name)) << "the reference did not write " << name;
            const auto& theirs = reference->at(name);
            ASSERT_EQ(ours.sizes(), theirs.sizes()) << name;
            if (name.ends_with(".generated")) {
                EXPECT_TRUE(at::equal(ours.to(at::kLong), theirs)) << name << "\n ours " << ours << "\n theirs " << theirs;
            } else if (ours.numel() > 0) {
                const double difference = (ours.to(at::kFloat) - theirs).abs().max().item<double>();
                EXPECT_LE(difference, kReferenceTolerance) << name << ": max |engine - reference| = " << difference;
                if (difference > largest) {
                    largest = difference;
                    largestName = name;
                }
            }
            ++compared;
        }
    }
    EXPECT_EQ(compared, traces->size() * (manifest.design.modalityGate ? 17 : 16));
    std::printf("[ golden   ] %s: %zu tensors compared, largest difference %.3g (%s)\n", c.name.c_str(), compared, largest,
                largestName.c_str());
}

TEST(ReferenceGolden, everyStage_equalsPyTorch_withAllModalitiesAndEachMissing) {
    compareWithReference({"full model", {"", "a", "v", "t", "", "av"}, {}}, test::tinyManifest(), 21);
}

TEST(ReferenceGolden, everyStage_equalsPyTorch_withExpertsDisabledAndCausalContext) {
    auto manifest = test::tinyManifest();
    manifest.contextBidirectional = false;
    manifest.llm.tieWordEmbeddings = true;
    manifest.llm.attentionBias = false;
    manifest.llm.ropeType = "llama3";
    manifest.llm.ropeFactor = 8.0;
    manifest.llm.ropeOriginalMaxPositions = 64;
    manifest.lora->useRslora = true;
    AnalyzeOptions options;
    options.disabledExperts[1] = true;
    compareWithReference({"semantic expert off", {"", "v", ""}, options}, manifest, 22);
    options.disabledExperts.set();
    options.disabledModalities[static_cast<int>(Modality::Visual)] = true;
    compareWithReference({"all experts off, no visual", {"", ""}, options}, manifest, 23);
}

TEST(ReferenceGolden, eachEnhancerDesignOption_equalsPyTorch_withTheOthersAtTheirDefaults) {
    // The manifest's alternative readings of the enhancer (EnhancerDesign), one at a time, against
    // tools/reference's own implementation of each; missing modalities exercise the spans.
    const std::vector<std::pair<std::string, std::function<void(Manifest&)>>> options{
        {"local window_attention", [](Manifest& m) { m.design.local = "window_attention"; }},
        {"global attention", [](Manifest& m) { m.design.global = "attention"; }},
        {"global dialogue_gru", [](Manifest& m) { m.design.global = "dialogue_gru"; }},
        {"sequential gates", [](Manifest& m) { m.design.gates = "sequential"; }},
        {"modality gate", [](Manifest& m) { m.design.modalityGate = true; }},
        {"attention context", [](Manifest& m) { m.design.context = "attention"; }},
        {"causal attention context", [](Manifest& m) { m.design.context = "attention", m.contextBidirectional = false; }},
        {"no context", [](Manifest& m) { m.design.context = "none"; }},
        {"modality_mean poolings", [](Manifest& m) { m.design.contextPooling = m.design.pseudoPooling = "modality_mean"; }},
        {"attention poolings", [](Manifest& m) { m.design.contextPooling = m.design.pseudoPooling = "attention"; }},
    };
    std::uint64_t seed = 40;
    for (const auto& [name, apply] : options) {
        auto manifest = test::tinyManifest();
        apply(manifest);
        compareWithReference({name, {"", "a", "t", "v", "av", ""}, {}}, manifest, seed++);
    }
}

TEST(ReferenceGolden, pytorchExport_loadsStrictly_andAnalyses) {
    test::TempDir dir;
    const auto manifest = test::tinyManifest();
    {
        std::ofstream out(dir.path() / "manifest.json");
        out << serializeManifest(manifest);
    }
    auto exported =
        runtime::runReference(runtime::referencePython(), {"export", "--manifest", (dir.path() / "manifest.json").string(), "--checkpoint",
                                                           (dir.path() / "from_pytorch").string(), "--seed", "4"});
    ASSERT_TRUE(exported.ok()) << exported.error().message;
    auto analyzer = loadNativeCheckpoint(dir.path() / "from_pytorch");
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(test::randomDialogue(manifest, {"", "t"}, 3), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(result->utterances[1].error.empty()) << result->utterances[1].error;
}

}  // namespace
}  // namespace egmf
