// The TF.js weights reader on hand-made manifests: dequantisation as TF.js does it, and refusal
// of hostile manifests (sizes that disagree, shard paths leaving the folder, absurd shapes).
#include "checkpoint/tfjs_weights.h"

#include <cstring>

#include <gtest/gtest.h>

namespace egmf::checkpoint {
namespace {

TEST(TfjsWeights, parse_dequantisesUint8_andReadsFloat32) {
    const std::string manifest = R"([{"paths":["w.bin"],"weights":[
        {"name":"q","shape":[2,2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1.0}},
        {"name":"f","shape":[1],"dtype":"float32"}]}])";
    std::vector<std::uint8_t> bytes = {0, 1, 2, 255, 0, 0, 0, 0};
    const float value = 3.25f;
    std::memcpy(bytes.data() + 4, &value, sizeof value);
    auto weights = parseTfjsWeights(manifest, bytes, "m.json");
    ASSERT_TRUE(weights.ok()) << weights.error().message;
    ASSERT_EQ(weights->size(), 2u);
    EXPECT_EQ((*weights)[0].values, (std::vector<float>{-1.0f, -0.5f, 0.0f, 126.5f}));
    EXPECT_EQ((*weights)[0].shape, (std::vector<std::int64_t>{2, 2}));
    EXPECT_EQ((*weights)[1].values, (std::vector<float>{3.25f}));
}

TEST(TfjsWeights, parse_refusesHostileManifests_withTheFileName) {
    const std::vector<std::uint8_t> four(4);
    const char* bad[] = {
        R"({"paths":[]})",
        R"([{"paths":["../etc/passwd"],"weights":[{"name":"a","shape":[1],"dtype":"float32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[2],"dtype":"float32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[-1],"dtype":"float32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[65536,65536,65536],"dtype":"float32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[1],"dtype":"int32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[4],"dtype":"float32","quantization":{"dtype":"uint8"}}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[1],"dtype":"float32"},{"name":"a","shape":[1],"dtype":"float32"}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[1],"dtype":5}]}])",
        R"([{"paths":["w.bin"],"weights":[{"name":"a","shape":[4],"dtype":"float32","quantization":{"dtype":7}}]}])",
    };
    for (const char* manifest : bad) {
        auto weights = parseTfjsWeights(manifest, four, "model.json");
        ASSERT_FALSE(weights.ok()) << manifest;
        EXPECT_NE(weights.error().message.find("model.json"), std::string::npos) << weights.error().message;
    }
}

}  // namespace
}  // namespace egmf::checkpoint
