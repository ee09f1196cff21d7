// The Hugging Face layout without LibTorch: config.json and adapter_config.json options the engine
// cannot compute as transformers and peft would are refused by name; peft's defaults load.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "checkpoint/huggingface_layout.h"
#include "test_support.h"

namespace egmf::checkpoint {
namespace {
using nlohmann::json;

/// An adapter_config.json as peft writes it (every option at its default).
json peftDefaults() {
    return json::parse(R"({"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "meta-llama/Llama-3.2-1B",
        "bias": "none", "corda_config": null, "eva_config": null, "exclude_modules": null, "fan_in_fan_out": false,
        "inference_mode": true, "init_lora_weights": true, "layer_replication": null, "layers_pattern": null,
        "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 32, "lora_bias": false, "lora_dropout": 0.05,
        "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": null, "peft_type": "LORA",
        "r": 8, "rank_pattern": {}, "revision": null, "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM",
        "trainable_token_indices": null, "use_dora": false, "use_rslora": false})");
}

TEST(HuggingFaceLayout, peftDefaults_load) {
    auto lora = parseAdapterConfig(peftDefaults(), "adapter_config.json");
    ASSERT_TRUE(lora.ok()) << lora.error().message;
    EXPECT_EQ(lora->rank, 8);
    EXPECT_DOUBLE_EQ(lora->scale(), 4.0);
    EXPECT_EQ(lora->targetModules, (std::vector<std::string>{"v_proj", "q_proj"}));
}

TEST(HuggingFaceLayout, unsupportedPeftOptions_areRefusedByName) {
    const std::vector<std::pair<std::string, json>> refused{{"use_dora", true},
                                                            {"rank_pattern", {{"q_proj", 4}}},
                                                            {"alpha_pattern", {{"v_proj", 8}}},
                                                            {"layers_to_transform", {0, 1}},
                                                            {"modules_to_save", {"lm_head"}},
                                                            {"bias", "all"},
                                                            {"lora_bias", true},
                                                            {"fan_in_fan_out", true},
                                                            {"target_modules", "all-linear"},
                                                            {"peft_type", "IA3"},
                                                            {"layer_replication", {{0, 2}}}};
    for (const auto& [key, value] : refused) {
        auto config = peftDefaults();
        config[key] = value;
        auto lora = parseAdapterConfig(config, "/x/adapter_config.json");
        ASSERT_FALSE(lora.ok()) << key;
        EXPECT_NE(lora.error().message.find(key), std::string::npos) << lora.error().message;
        EXPECT_NE(lora.error().message.find("/x/adapter_config.json"), std::string::npos) << lora.error().message;
    }
    auto config = peftDefaults();
    config["target_modules"] = {"q_proj", "embed_tokens"};
    auto lora = parseAdapterConfig(config, "adapter_config.json");
    ASSERT_FALSE(lora.ok());
    EXPECT_NE(lora.error().message.find("embed_tokens"), std::string::npos);
}

TEST(HuggingFaceLayout, aRankThatIsNoSmallInteger_isRefusedNamingIt) {
    // tools/fuzz found "r": 4.3e122 converted to an integer with undefined behaviour.
    for (const json& rank : {json(4.3e122), json(-2), json(2.5), json("8"), json(0)}) {
        auto config = peftDefaults();
        config["r"] = rank;
        auto lora = parseAdapterConfig(config, "/x/adapter_config.json");
        ASSERT_FALSE(lora.ok()) << rank;
        EXPECT_NE(lora.error().message.find("r (the LoRA rank)"), std::string::npos) << lora.error().message;
    }
    auto config = peftDefaults();
    config["r"] = 16.0;  // an integral float is the integer
    EXPECT_EQ(parseAdapterConfig(config, "adapter_config.json")->rank, 16);
}

TEST(HuggingFaceLayout, unsupportedArchitecturesAndRopeTypes_areRefusedByName) {
    json config = {{"model_type", "llama"},  {"vocab_size", 32},         {"hidden_size", 8},      {"intermediate_size", 16},
                   {"num_hidden_layers", 1}, {"num_attention_heads", 2}, {"eos_token_id", {2, 3}}};
    auto ok = parseLlmConfig(config, "config.json");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->eosTokenId, 2);  // Llama-3 lists several end tokens
    config["model_type"] = "gemma";
    auto gemma = parseLlmConfig(config, "config.json");
    ASSERT_FALSE(gemma.ok());
    EXPECT_NE(gemma.error().message.find("gemma"), std::string::npos);
    config["model_type"] = "llama";
    config["rope_parameters"] = {{"rope_type", "yarn"}, {"rope_theta", 10000.0}, {"factor", 4.0}};
    auto yarn = parseLlmConfig(config, "config.json");
    ASSERT_FALSE(yarn.ok());
    EXPECT_NE(yarn.error().message.find("yarn"), std::string::npos);
    config["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 500000.0}};  // transformers >= 5
    auto v5 = parseLlmConfig(config, "config.json");
    ASSERT_TRUE(v5.ok());
    EXPECT_EQ(v5->ropeTheta, 500000.0);
}

TEST(HuggingFaceLayout, weightSources_mapPeftAndHuggingFaceNames) {
    const WeightSource adapter{"adapter_model.safetensors", kPeftPrefix, kLoraKeyPrefix, {}, {}};
    EXPECT_EQ(adapter.keyOf("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"),
              "lora.model.layers.0.self_attn.q_proj.lora_A.weight");
    EXPECT_FALSE(adapter.keyOf("model.layers.0.self_attn.q_proj.weight").has_value());
    const WeightSource base{"model.safetensors", "", "llm.", {".rotary_emb.inv_freq"}, {"lm_head.weight"}};
    EXPECT_EQ(base.keyOf("model.norm.weight"), "llm.model.norm.weight");
    EXPECT_EQ(base.keyOf("model.layers.0.self_attn.rotary_emb.inv_freq"), "");
    EXPECT_EQ(base.keyOf("lm_head.weight"), "");
}

TEST(HuggingFaceLayout, manifestWithoutHuggingFaceParts_orWithoutTokenizer_isAnErrorNamingTheFile) {
    test::TempDir dir;
    auto manifest = test::tinyManifest();
    auto layout = resolveHuggingFaceLayout(dir.path(), manifest);
    ASSERT_FALSE(layout.ok());
    EXPECT_NE(layout.error().message.find("huggingface"), std::string::npos);
    manifest.huggingFace = HuggingFaceParts{"base", "", "fusion.safetensors"};
    std::filesystem::create_directories(dir.path() / "base");
    std::ofstream(dir.path() / "base/config.json") << serializeLlmConfig(manifest.llm);
    layout = resolveHuggingFaceLayout(dir.path(), manifest);
    ASSERT_FALSE(layout.ok());
    EXPECT_NE(layout.error().message.find("model.safetensors"), std::string::npos) << layout.error().message;
    ASSERT_TRUE(writeSafetensors(dir.path() / "base/model.safetensors", {}).ok());
    layout = resolveHuggingFaceLayout(dir.path(), manifest);
    ASSERT_FALSE(layout.ok());
    EXPECT_NE(layout.error().message.find("tokenizer.json"), std::string::npos) << layout.error().message;
}

TEST(HuggingFaceLayout, chatGlmFolder_takesItsSentencePieceWithSpecialTokens_andRefusesAdaptersForOtherNames) {
    test::TempDir dir;
    auto manifest = test::tinyManifest();
    manifest.huggingFace = HuggingFaceParts{"base", "adapter", "fusion.safetensors"};
    LlmConfig glm;
    glm.modelType = "chatglm";
    glm.vocabSize = 112, glm.hiddenSize = 64, glm.intermediateSize = 96, glm.numHiddenLayers = 1;
    glm.numAttentionHeads = 4, glm.numKeyValueHeads = 2, glm.eosTokenId = 2;
    std::filesystem::create_directories(dir.path() / "base");
    std::filesystem::create_directories(dir.path() / "adapter");
    std::ofstream(dir.path() / "base/config.json") << serializeLlmConfig(glm);
    ASSERT_TRUE(writeSafetensors(dir.path() / "base/model.safetensors", {}).ok());
    std::ofstream(dir.path() / "base/tokenizer.model") << "not read here";
    auto config = peftDefaults();
    config["target_modules"] = {"q_proj", "v_proj"};  // a Llama adapter beside a GLM base
    std::ofstream(dir.path() / "adapter/adapter_config.json") << config.dump();
    auto layout = resolveHuggingFaceLayout(dir.path(), manifest);
    ASSERT_FALSE(layout.ok());
    EXPECT_NE(layout.error().message.find("q_proj"), std::string::npos) << layout.error().message;
    EXPECT_NE(layout.error().message.find("query_key_value"), std::string::npos) << layout.error().message;
    EXPECT_NE(layout.error().message.find("adapter_config.json"), std::string::npos) << layout.error().message;
    config["target_modules"] = {"query_key_value"};
    std::ofstream(dir.path() / "adapter/adapter_config.json") << config.dump();
    layout = resolveHuggingFaceLayout(dir.path(), manifest);
    ASSERT_TRUE(layout.ok()) << layout.error().message;
    EXPECT_EQ(layout->manifest.tokenizer.kind, "chatglm");
    EXPECT_TRUE(layout->manifest.llm.isChatGlm());
    EXPECT_EQ(layout->sources.front().keyOf("transformer.rotary_pos_emb.inv_freq"), "");
}

}  // namespace
}  // namespace egmf::checkpoint
