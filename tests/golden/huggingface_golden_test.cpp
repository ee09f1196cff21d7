// Hugging Face checkpoints (egmf/huggingface.h): tiny Llama and Qwen2 folders with PEFT adapters
// against their reference logits (tools/reference's Llama at test time; transformers + peft
// fixtures in tests/golden/hf_fixtures when a machine with them made them), and the whole EGMF in
// the Hugging Face layout against the same model as a native checkpoint.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <c10/core/InferenceMode.h>

#include "../engine/test_support.h"
#include "bench/reference_io.h"
#include "checkpoint/huggingface_layout.h"
#include "egmf/app/safetensors.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "egmf/huggingface.h"
#include "loading/weights.h"
#include "model/llm/causal_lm.h"

namespace egmf {
namespace {
namespace fs = std::filesystem;

constexpr double kLogitTolerance = 1e-4;

/// The LLM under "llm.", as inside the EGMF model, so checkpoint keys map the same way.
struct LlmHolder : torch::nn::Module {
    LlmHolder(const LlmConfig& config, const std::optional<LoraConfig>& lora) {
        model::DeferredBaseWeights deferred;
        llm = register_module("llm", model::makeCausalLm(config, lora));
    }
    std::shared_ptr<model::CausalLmImpl> llm;
};

/// Logits of `fixture`/io.safetensors' input ids through base (+ adapter), loaded the loader's way.
at::Tensor logitsOf(const fs::path& fixture, bool withAdapter, const at::Tensor& ids) {
    auto base = checkpoint::resolveHuggingFaceBase(fixture / "base");
    EXPECT_TRUE(base.ok()) << base.error().message;
    if (!base) return {};
    Manifest manifest = test::tinyManifest();
    manifest.llm = base->llm;
    manifest.lora.reset();
    auto sources = base->sources;
    if (withAdapter) {
        auto adapter = checkpoint::resolvePeftAdapter(fixture / "adapter");
        EXPECT_TRUE(adapter.ok()) << adapter.error().message;
        if (!adapter) return {};
        manifest.lora = adapter->lora;
        sources.push_back(adapter->source);
    }
    LlmHolder holder(manifest.llm, manifest.lora);
    auto files = checkpoint::openSources(sources);
    EXPECT_TRUE(files.ok()) << files.error().message;
    auto tensors = checkpoint::tensorsByKey(sources, *files);
    EXPECT_TRUE(tensors.ok()) << tensors.error().message;
    const auto llmOnly = [](const std::string& key) { return key.starts_with("llm.") || key.starts_with("lora."); };
    auto loaded = loading::loadMapped(holder, *tensors, *files, checkpoint::expectedTensors(manifest), llmOnly, fixture.string());
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded) return {};
    c10::InferenceMode inference;
    model::KvCache cache;
    return holder.llm->logits(holder.llm->forward(holder.llm->embed(ids), cache));
}

void compareFixture(const fs::path& fixture) {
    SCOPED_TRACE(fixture.string());
    auto io = loading::loadTensors(fixture / "io.safetensors");
    ASSERT_TRUE(io.ok()) << io.error().message;
    const auto& ids = io->at("input_ids");
    for (const bool withAdapter : {false, true}) {
        const auto ours = logitsOf(fixture, withAdapter, ids);
        ASSERT_TRUE(ours.defined());
        const auto& theirs = io->at(withAdapter ? "logits_adapter" : "logits_base");
        ASSERT_EQ(ours.sizes(), theirs.sizes());
        const double difference = (ours - theirs).abs().max().item<double>();
        EXPECT_LE(difference, kLogitTolerance);
        std::printf("[ golden   ] %s %s: largest logit difference %.3g\n", fixture.filename().c_str(),
                    withAdapter ? "+ PEFT adapter" : "base", difference);
    }
    // The adapter must matter, or the comparison above would not see it applied.
    EXPECT_GT((io->at("logits_adapter") - io->at("logits_base")).abs().max().item<double>(), 1e-2);
}

void makeReferenceFixture(const fs::path& out, const std::string& arch) {
    const std::string script = test::sourceDir().string() + "/tests/golden/hf_llm_reference.py";
    const auto command =
        runtime::referencePython() + " '" + script + "' make --backend reference --arch " + arch + " --out '" + out.string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command << " failed; is python3-torch installed (scripts/setup.sh)?";
}

TEST(HuggingFaceGolden, shardedLlamaQwen2AndChatGlm3_withPeftAdapters_equalThePyTorchReference) {
    test::TempDir dir;
    for (const char* arch : {"llama", "qwen2", "chatglm"}) {
        ASSERT_NO_FATAL_FAILURE(makeReferenceFixture(dir.path() / arch, arch));
        compareFixture(dir.path() / arch);
    }
}

TEST(HuggingFaceGolden, transformersAndPeftFixtures_equalOurLogits) {
    const fs::path fixtures = test::sourceDir() / "tests/golden/hf_fixtures";
    int found = 0;
    for (const char* arch : {"llama", "qwen2"}) {
        if (!fs::exists(fixtures / arch / "io.safetensors")) continue;
        ++found;
        compareFixture(fixtures / arch);
    }
    if (found == 0) {
        GTEST_SKIP() << "the transformers + peft fixtures are missing: on a machine with transformers and peft, run "
                        "tests/golden/hf_llm_reference.py make --backend transformers --arch llama|qwen2 --out "
                        "tests/golden/hf_fixtures/<arch> and commit them";
    }
}

/// A native EGMF checkpoint with LoRA and a SentencePiece tokenizer (the bundled demo's).
fs::path nativeCheckpoint(const fs::path& dir) {
    auto manifest = test::tinyManifest();
    manifest.llm.vocabSize = 600;
    manifest.llm.bosTokenId = 1;
    manifest.llm.eosTokenId = 2;
    manifest.tokenizer = {"sentencepiece", "tokenizer.model"};
    const auto folder = dir / "native";
    EXPECT_TRUE(createRandomCheckpoint(folder, manifest, 31, RandomInit::Perturbed).ok());
    fs::copy_file(test::sourceDir() / "resources/checkpoints/demo-erc/tokenizer.model", folder / "tokenizer.model");
    return folder;
}

DialogueResult analyse(const fs::path& checkpoint, const Manifest& manifest) {
    auto analyzer = loadNativeCheckpoint(checkpoint);  // the Hugging Face layout is passed on
    EXPECT_TRUE(analyzer.ok()) << analyzer.error().message;
    if (!analyzer) return {};
    std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(test::randomDialogue(manifest, {"", "a", "v"}, 5), {}, cancel);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? *result : DialogueResult{};
}

/// Rewrites base/model.safetensors as two shards with an index, as transformers writes large models.
void shard(const fs::path& base) {
    auto whole = loading::loadTensors(base / "model.safetensors");
    ASSERT_TRUE(whole.ok());
    std::map<std::string, at::Tensor> parts[2];
    nlohmann::json index = {{"metadata", nlohmann::json::object()}, {"weight_map", nlohmann::json::object()}};
    int i = 0;
    for (const auto& [name, tensor] : *whole) {
        const int part = i++ % 2;
        parts[part][name] = tensor;
        index["weight_map"][name] = "model-0000" + std::to_string(part + 1) + "-of-00002.safetensors";
    }
    for (int part = 0; part < 2; ++part) {
        ASSERT_TRUE(loading::saveTensors(base / ("model-0000" + std::to_string(part + 1) + "-of-00002.safetensors"), parts[part]).ok());
    }
    fs::remove(base / "model.safetensors");
    std::ofstream(base / "model.safetensors.index.json") << index.dump(2);
}

TEST(HuggingFaceCheckpoint, exportedLayout_shardedOrNot_analysesExactlyLikeTheNativeCheckpoint) {
    test::TempDir dir;
    const auto native = nativeCheckpoint(dir.path());
    const auto manifest = readManifest(native);
    ASSERT_TRUE(manifest.ok());
    const auto hf = dir.path() / "hf";
    ASSERT_TRUE(exportHuggingFaceCheckpoint(native, hf).ok());
    EXPECT_TRUE(isHuggingFaceCheckpoint(hf));
    EXPECT_FALSE(isHuggingFaceCheckpoint(native));
    const auto expected = analyse(native, *manifest);
    const auto compare = [&](const DialogueResult& actual) {
        ASSERT_EQ(actual.utterances.size(), expected.utterances.size());
        for (std::size_t i = 0; i < expected.utterances.size(); ++i) {
            EXPECT_EQ(actual.utterances[i].generated, expected.utterances[i].generated);
            EXPECT_EQ(actual.utterances[i].probabilities, expected.utterances[i].probabilities);
            EXPECT_EQ(actual.utterances[i].gates.gates.values, expected.utterances[i].gates.gates.values);
        }
    };
    compare(analyse(hf, *manifest));
    shard(hf / "base");
    compare(analyse(hf, *manifest));
    auto info = inspectCheckpoint(hf);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_TRUE(info->manifest.huggingFace.has_value());
    EXPECT_EQ(info->parameterCount, inspectCheckpoint(native)->parameterCount);
}

TEST(HuggingFaceCheckpoint, peftExport_roundTrips_throughTheAdapterReader) {
    test::TempDir dir;
    const auto native = nativeCheckpoint(dir.path());
    ASSERT_TRUE(exportPeftAdapter(native, dir.path() / "peft").ok());
    auto adapter = checkpoint::resolvePeftAdapter(dir.path() / "peft");
    ASSERT_TRUE(adapter.ok()) << adapter.error().message;
    const auto manifest = readManifest(native);
    EXPECT_EQ(adapter->lora.rank, manifest->lora->rank);
    EXPECT_EQ(adapter->lora.alpha, manifest->lora->alpha);
    EXPECT_EQ(adapter->lora.targetModules, manifest->lora->targetModules);
    auto exported = loading::loadTensors(dir.path() / "peft/adapter_model.safetensors");
    auto original = loading::loadTensors(native / "model.safetensors");
    ASSERT_TRUE(exported.ok() && original.ok());
    std::size_t adapters = 0;
    for (const auto& [name, tensor] : *original) {
        if (!name.starts_with("lora.")) continue;
        ++adapters;
        const auto peftName = "base_model.model." + name.substr(5);
        ASSERT_TRUE(exported->count(peftName)) << peftName;
        EXPECT_TRUE(at::equal(exported->at(peftName), tensor)) << peftName;
    }
    EXPECT_EQ(exported->size(), adapters);
    EXPECT_GT(adapters, 0u);
}

TEST(HuggingFaceCheckpoint, brokenParts_areErrorsNamingTheFile) {
    test::TempDir dir;
    const auto native = nativeCheckpoint(dir.path());
    const auto hf = dir.path() / "hf";
    ASSERT_TRUE(exportHuggingFaceCheckpoint(native, hf).ok());
    {  // a shard index that points outside the folder
        shard(hf / "base");
        auto index = nlohmann::json::parse(std::ifstream(hf / "base/model.safetensors.index.json"));
        index["weight_map"]["model.norm.weight"] = "../../etc/passwd";
        std::ofstream(hf / "base/model.safetensors.index.json") << index.dump();
        auto loaded = loadHuggingFaceCheckpoint(hf);
        ASSERT_FALSE(loaded.ok());
        EXPECT_NE(loaded.error().message.find("not a file of this folder"), std::string::npos) << loaded.error().message;
    }
    fs::remove(hf / "base/model.safetensors.index.json");
    {  // no weights at all
        auto loaded = loadHuggingFaceCheckpoint(hf);
        ASSERT_FALSE(loaded.ok());
        EXPECT_NE(loaded.error().message.find("model.safetensors"), std::string::npos) << loaded.error().message;
    }
    fs::remove_all(hf);
    ASSERT_TRUE(exportHuggingFaceCheckpoint(native, hf).ok());
    {  // fusion weights missing a tensor
        auto fusion = loading::loadTensors(hf / "fusion.safetensors");
        fusion->erase(fusion->begin());
        ASSERT_TRUE(loading::saveTensors(hf / "fusion.safetensors", *fusion).ok());
        auto loaded = loadHuggingFaceCheckpoint(hf);
        ASSERT_FALSE(loaded.ok());
        EXPECT_NE(loaded.error().message.find("missing keys (1)"), std::string::npos) << loaded.error().message;
    }
    {  // a base tensor in the adapter file
        auto adapter = loading::loadTensors(hf / "adapter/adapter_model.safetensors");
        (*adapter)["model.norm.weight"] = at::ones({4});
        ASSERT_TRUE(loading::saveTensors(hf / "adapter/adapter_model.safetensors", *adapter).ok());
        auto loaded = loadHuggingFaceCheckpoint(hf);
        ASSERT_FALSE(loaded.ok());
        EXPECT_NE(loaded.error().message.find("adapter_model.safetensors: tensor \"model.norm.weight\" does not belong here"),
                  std::string::npos)
            << loaded.error().message;
    }
}

}  // namespace
}  // namespace egmf
