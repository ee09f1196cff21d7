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
    j["llm"]["model_type"] = "chatglm";
    EXPECT_NE(errorFor(j).find("chatglm"), std::string::npos);
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

}  // namespace
}  // namespace egmf
