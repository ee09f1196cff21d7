#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "egmf/manifest.h"

namespace egmf {
namespace {

nlohmann::json demoJson() {
    return nlohmann::json::parse(serializeManifest(demoManifest()));
}

std::string errorFor(const nlohmann::json& j) {
    auto parsed = parseManifest(j.dump(), "ckpt/manifest.json");
    EXPECT_FALSE(parsed.ok());
    if (parsed.ok()) {
        return "";
    }
    EXPECT_NE(parsed.error().message.find("ckpt/manifest.json"), std::string::npos);
    return parsed.error().message;
}

TEST(Manifest, serializeThenParse_roundTripsEveryField) {
    Manifest m = demoManifest();
    m.task = Task::Regression;
    m.scoreMin = -1;
    m.scoreMax = 1;
    m.prompt.templateText = defaultRegressionTemplate();
    m.contextBidirectional = false;
    m.llm.ropeType = "llama3";
    m.llm.ropeFactor = 8;
    m.lora->useRslora = true;
    auto parsed = parseManifest(serializeManifest(m), "m.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->task, Task::Regression);
    EXPECT_EQ(parsed->labels, m.labels);
    EXPECT_EQ(parsed->scoreMin, -1);
    EXPECT_FALSE(parsed->contextBidirectional);
    EXPECT_EQ(parsed->llm.ropeType, "llama3");
    EXPECT_EQ(parsed->llm.ropeFactor, 8);
    EXPECT_EQ(parsed->llm.numKeyValueHeads, 2);
    ASSERT_TRUE(parsed->lora.has_value());
    EXPECT_TRUE(parsed->lora->useRslora);
    EXPECT_DOUBLE_EQ(parsed->lora->scale(), 16 / 4.0);
    EXPECT_EQ(parsed->prompt.templateText, m.prompt.templateText);
}

TEST(Manifest, parse_readsRopeParameters_asTransformers5WritesThem) {
    auto j = demoJson();
    j["llm"].erase("rope_theta");
    j["llm"]["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 500000.0}};
    auto parsed = parseManifest(j.dump(), "m.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->llm.ropeTheta, 500000.0);
}

TEST(Manifest, parse_refusesByName_whatIsNotSupported) {
    auto j = demoJson();
    j["llm"]["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4}};
    EXPECT_NE(errorFor(j).find("yarn"), std::string::npos);
    j = demoJson();
    j["llm"]["model_type"] = "gemma";
    EXPECT_NE(errorFor(j).find("gemma"), std::string::npos);
    j = demoJson();
    j["format_version"] = 99;
    EXPECT_NE(errorFor(j).find("format_version 99"), std::string::npos);
    j = demoJson();
    j["lora"]["target_modules"] = {"q_proj", "mlp.fc"};
    EXPECT_NE(errorFor(j).find("mlp.fc"), std::string::npos);
}

TEST(Manifest, modalities_areVersion2_andVersion1ManifestsStillLoadWithAllThree) {
    auto j = demoJson();
    EXPECT_EQ(j["format_version"], kManifestFormatVersion);
    EXPECT_EQ(j["modalities"], nlohmann::json({"text", "audio", "visual"}));
    j["format_version"] = 1;
    j.erase("modalities");
    auto old = parseManifest(j.dump(), "old.json");
    ASSERT_TRUE(old.ok()) << old.error().message;
    EXPECT_EQ(old->formatVersion, 1);
    EXPECT_TRUE(old->modalities == Modalities{});
    j["modalities"] = {"text"};
    EXPECT_NE(errorFor(j).find("needs format_version 2"), std::string::npos);
    j["format_version"] = 2;
    auto textOnly = parseManifest(j.dump(), "text.json");
    ASSERT_TRUE(textOnly.ok()) << textOnly.error().message;
    EXPECT_TRUE((textOnly->modalities == Modalities{true, false, false}));
    EXPECT_FALSE(textOnly->modalities.hasClipInput());
    auto again = parseManifest(serializeManifest(*textOnly), "again.json");
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->modalities == textOnly->modalities);
    j["modalities"] = {"text", "smell"};
    EXPECT_NE(errorFor(j).find("\"smell\" is not one of"), std::string::npos);
    j["modalities"] = nlohmann::json::array();
    EXPECT_NE(errorFor(j).find("modalities"), std::string::npos);
}

TEST(Manifest, parse_namesTheField_whenTypeIsWrong) {
    auto j = demoJson();
    j["fusion"]["dim"] = "256";
    EXPECT_NE(errorFor(j).find("fusion.dim"), std::string::npos);
    j = demoJson();
    j["llm"]["num_key_value_heads"] = 3;
    EXPECT_NE(errorFor(j).find("num_key_value_heads"), std::string::npos);
    j = demoJson();
    j["experts"]["ratios"] = {0.5, 0.5};
    EXPECT_NE(errorFor(j).find("experts.ratios"), std::string::npos);
    j = demoJson();
    j["fusion"]["dim"] = -4;
    EXPECT_NE(errorFor(j).find("fusion.dim"), std::string::npos);
}

TEST(Manifest, parse_requiresMultimodalPlaceholderOnce) {
    auto j = demoJson();
    j["prompt"]["template"] = "no placeholder";
    EXPECT_NE(errorFor(j).find("{multimodal}"), std::string::npos);
    j["prompt"]["template"] = "{multimodal}{multimodal}";
    EXPECT_NE(errorFor(j).find("{multimodal}"), std::string::npos);
}

TEST(Manifest, parse_fails_onDuplicateKeysAndNonObjects) {
    EXPECT_FALSE(parseManifest(R"({"task":"classification","task":"regression"})", "m").ok());
    EXPECT_FALSE(parseManifest("[]", "m").ok());
    EXPECT_FALSE(parseManifest("", "m").ok());
}

TEST(Manifest, parse_setsQwen2Biases_whenConfigOmitsThem) {
    auto j = demoJson();
    j["llm"]["model_type"] = "qwen2";
    j["llm"].erase("attention_bias");
    auto parsed = parseManifest(j.dump(), "m.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->llm.attentionBias);
}

/// ChatGLM3-6B's config.json as THUDM ships it (the fields the engine reads, and some it ignores).
nlohmann::json chatGlm3Config() {
    return {{"_name_or_path", "THUDM/chatglm3-6b"},
            {"model_type", "chatglm"},
            {"architectures", {"ChatGLMModel"}},
            {"add_bias_linear", false},
            {"add_qkv_bias", true},
            {"apply_query_key_layer_scaling", true},
            {"apply_residual_connection_post_layernorm", false},
            {"attention_dropout", 0.0},
            {"attention_softmax_in_fp32", true},
            {"bias_dropout_fusion", true},
            {"ffn_hidden_size", 13696},
            {"fp32_residual_connection", false},
            {"hidden_dropout", 0.0},
            {"hidden_size", 4096},
            {"kv_channels", 128},
            {"layernorm_epsilon", 1e-05},
            {"multi_query_attention", true},
            {"multi_query_group_num", 2},
            {"num_attention_heads", 32},
            {"num_layers", 28},
            {"original_rope", true},
            {"padded_vocab_size", 65024},
            {"post_layer_norm", true},
            {"rmsnorm", true},
            {"seq_length", 8192},
            {"use_cache", true},
            {"torch_dtype", "float16"},
            {"transformers_version", "4.30.2"},
            {"tie_word_embeddings", false},
            {"eos_token_id", 2},
            {"pad_token_id", 0}};
}

TEST(Manifest, chatGlm3Config_readsItsOwnNames_andRoundTrips) {
    auto parsed = parseLlmConfig(chatGlm3Config(), "chatglm3-6b/config.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    const auto& l = *parsed;
    EXPECT_TRUE(l.isChatGlm());
    EXPECT_EQ(l.vocabSize, 65024);
    EXPECT_EQ(l.hiddenSize, 4096);
    EXPECT_EQ(l.intermediateSize, 13696);
    EXPECT_EQ(l.numHiddenLayers, 28);
    EXPECT_EQ(l.numAttentionHeads, 32);
    EXPECT_EQ(l.numKeyValueHeads, 2);
    EXPECT_EQ(l.effectiveHeadDim(), 128);
    EXPECT_EQ(l.rotaryDim(), 64);
    EXPECT_TRUE(l.rotaryInterleaved());
    EXPECT_TRUE(l.attentionBias);
    EXPECT_DOUBLE_EQ(l.ropeTheta, 10000.0);
    EXPECT_DOUBLE_EQ(l.rmsNormEps, 1e-5);
    EXPECT_EQ(l.eosTokenId, 2);
    EXPECT_EQ(l.torchDtype, "float16");
    EXPECT_EQ(defaultLoraTargets(l), std::vector<std::string>{"query_key_value"});

    auto config = chatGlm3Config();
    config["rope_ratio"] = 50;  // chatglm3-6b-32k
    config["multi_query_attention"] = false;
    auto longer = parseLlmConfig(config, "c.json");
    ASSERT_TRUE(longer.ok()) << longer.error().message;
    EXPECT_DOUBLE_EQ(longer->ropeTheta, 500000.0);
    EXPECT_EQ(longer->numKeyValueHeads, 32);  // without multi-query attention every head has its keys

    // What the engine writes back is ChatGLM's config.json again.
    auto again = parseLlmConfig(nlohmann::json::parse(serializeLlmConfig(*longer)), "again.json");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->numKeyValueHeads, 32);
    EXPECT_DOUBLE_EQ(again->ropeTheta, 500000.0);
    EXPECT_EQ(again->effectiveHeadDim(), 128);
    EXPECT_EQ(nlohmann::json::parse(serializeLlmConfig(*again))["num_layers"], 28);
}

TEST(Manifest, chatGlm3Config_refusesByName_whatModelingChatglmWouldComputeDifferently) {
    for (const auto& [key, value] : std::vector<std::pair<std::string, bool>>{{"add_bias_linear", true},
                                                                              {"rmsnorm", false},
                                                                              {"apply_residual_connection_post_layernorm", true},
                                                                              {"post_layer_norm", false},
                                                                              {"original_rope", false}}) {
        auto config = chatGlm3Config();
        config[key] = value;
        auto parsed = parseLlmConfig(config, "glm/config.json");
        ASSERT_FALSE(parsed.ok()) << key;
        EXPECT_NE(parsed.error().message.find(key), std::string::npos) << parsed.error().message;
        EXPECT_NE(parsed.error().message.find("glm/config.json"), std::string::npos);
    }
}

TEST(Manifest, loraTargets_areTheFamilysProjections) {
    auto glm = parseLlmConfig(chatGlm3Config(), "c.json");
    ASSERT_TRUE(glm.ok());
    LoraConfig lora;
    lora.targetModules = {"query_key_value", "dense_4h_to_h"};
    EXPECT_TRUE(checkLoraTargets(lora, *glm, "a.json").ok());
    lora.targetModules = {"q_proj"};
    auto refused = checkLoraTargets(lora, *glm, "adapter/adapter_config.json");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("q_proj"), std::string::npos);
    EXPECT_NE(refused.error().message.find("query_key_value"), std::string::npos);
    EXPECT_TRUE(checkLoraTargets(lora, demoManifest().llm, "a.json").ok());
    auto j = demoJson();
    j["lora"] = {{"r", 4}, {"target_modules", {"query_key_value"}}};
    EXPECT_NE(errorFor(j).find("query_key_value"), std::string::npos);
}

TEST(Manifest, enhancerDesign_roundTrips_isVersion3_andRefusesUnknownChoicesByName) {
    Manifest m = demoManifest();
    m.design = {"window_attention", "dialogue_gru", "sequential", true, "attention", "modality_mean", "attention"};
    auto parsed = parseManifest(serializeManifest(m), "m.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->design, m.design);
    EXPECT_EQ(parsed->formatVersion, 3);
    EXPECT_EQ(parsed->contextDim(), m.contextHidden * 2);
    EXPECT_EQ(parsed->pooledDim(parsed->design.contextPooling), 3 * m.fusionDim);

    // A version 2 manifest (today's checkpoints) has MODEL.md's design and may not name another.
    auto j = demoJson();
    j["format_version"] = 2;
    j.erase("enhancer");
    j.erase("pooling");
    j["context"].erase("module");
    auto old = parseManifest(j.dump(), "old.json");
    ASSERT_TRUE(old.ok()) << old.error().message;
    EXPECT_EQ(old->design, EnhancerDesign{});
    j["enhancer"] = {{"global", "attention"}};
    EXPECT_NE(errorFor(j).find("format_version 3"), std::string::npos);

    j = demoJson();
    j["enhancer"]["local"] = "dilated_conv";
    const auto refused = errorFor(j);
    EXPECT_NE(refused.find("enhancer.local"), std::string::npos) << refused;
    EXPECT_NE(refused.find("window_attention"), std::string::npos) << refused;
    j = demoJson();
    j["context"]["module"] = "lstm";
    EXPECT_NE(errorFor(j).find("context.module"), std::string::npos);
    j = demoJson();
    j["pooling"]["pseudo_tokens"] = "max";
    EXPECT_NE(errorFor(j).find("pooling.pseudo_tokens"), std::string::npos);
    j = demoJson();
    j["context"]["module"] = "none";
    auto none = parseManifest(j.dump(), "none.json");
    ASSERT_TRUE(none.ok()) << none.error().message;
    EXPECT_EQ(none->contextDim(), 0);
}

}  // namespace
}  // namespace egmf
