// The decoder families against llama.cpp's own implementations of them (its chatglm, llama and
// qwen2 graphs), fed the same random weights as a GGUF file (model/llm/gguf_export.h): an
// independent reference for what ChatGLM3 computes (partial, pairwise rotary; the fused QKV with
// multi-query groups; the fused SwiGLU) and for the GGUF writer's conventions. llama.cpp comes
// prebuilt from the pinned npm package (tests/golden/llama_cpp_reference.sh).
#include <fstream>

#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "../engine/test_support.h"
#include "model/llm/causal_lm.h"
#include "model/llm/gguf_export.h"
#include "npm_packages.h"

namespace egmf {
namespace {
namespace fs = std::filesystem;

constexpr double kLogitTolerance = 1e-4;

LlmConfig family(const std::string& type) {
    LlmConfig c;
    c.modelType = type;
    c.vocabSize = 96, c.hiddenSize = 64, c.intermediateSize = 96, c.numHiddenLayers = 2;
    c.numAttentionHeads = 4, c.numKeyValueHeads = 2, c.rmsNormEps = 1e-5;
    if (type == "chatglm") c.vocabSize = 112, c.ropeTheta = 20000, c.attentionBias = true;  // rope_ratio 2
    if (type == "qwen2") c.ropeTheta = 1e6, c.attentionBias = true;
    if (type == "llama") c.attentionBias = true;  // the q/k biases move with their permuted rows
    return c;
}

/// Random weights of the scale a trained model has (norms near 1), and a random LoRA B so that
/// merging the adapter into the GGUF counts.
void randomize(torch::nn::Module& llm) {
    at::NoGradGuard noGrad;
    for (auto& item : llm.named_parameters(true)) {
        auto& p = item.value();
        if (item.key().find("norm") != std::string::npos)
            p.copy_(1 + 0.2 * at::randn_like(p));
        else
            p.copy_(0.2 * at::randn_like(p));
    }
}

TEST(LlamaCppGolden, chatGlmLlamaAndQwen2_randomWeights_equalLlamaCppsLogits) {
    const auto built = test::runCapturing("'" + test::sourceDir().string() + "/tests/golden/llama_cpp_reference.sh' 2>&1");
    if (built.status == 77) GTEST_SKIP() << "llama.cpp's npm packages are unavailable: " << (built.lines.empty() ? "" : built.lines[0]);
    ASSERT_EQ(built.status, 0) << "tests/golden/llama_cpp_reference.sh failed: " << (built.lines.empty() ? "" : built.lines.back());
    ASSERT_GE(built.lines.size(), 2u);
    const auto program = built.lines[built.lines.size() - 2], libraries = built.lines.back();
    test::TempDir dir;
    for (const std::string type : {"chatglm", "llama", "qwen2"}) {
        SCOPED_TRACE(type);
        const auto config = family(type);
        at::manual_seed(11);
        const LoraConfig lora{4, 8, 0.0, false,
                              type == "chatglm" ? std::vector<std::string>{"query_key_value", "dense_h_to_4h"}
                                                : std::vector<std::string>{"q_proj", "down_proj"}};
        auto llm = model::makeCausalLm(config, lora);
        randomize(*llm);
        llm->eval();
        const auto ids = at::randint(config.vocabSize, {16}, at::kLong);
        at::Tensor ours;
        {
            c10::InferenceMode inference;
            model::KvCache cache;
            ours = llm->logits(llm->forward(llm->embed(ids), cache));
        }
        const auto gguf = dir.path() / (type + ".gguf");
        const auto written = model::writeGguf(*llm, gguf);
        ASSERT_TRUE(written.ok()) << written.error().message;
        {
            std::ofstream idsFile(dir.path() / "ids.txt");
            for (std::int64_t i = 0; i < ids.size(0); ++i) idsFile << ids[i].item<std::int64_t>() << ' ';
        }
        const auto out = dir.path() / (type + ".f32");
        const auto command = "'" + program + "' '" + gguf.string() + "' '" + libraries + "' '" + (dir.path() / "ids.txt").string() + "' '" +
                             out.string() + "' 2 > '" + (dir.path() / "llama.log").string() + "' 2>&1";
        ASSERT_EQ(test::runCommand(command), 0) << command << " failed; see " << (dir.path() / "llama.log").string();
        std::ifstream in(out, std::ios::binary);
        std::vector<float> values(static_cast<std::size_t>(ours.numel()));
        in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
        ASSERT_TRUE(in) << out << ": fewer logits than " << ours.sizes();
        const auto theirs = at::from_blob(values.data(), ours.sizes(), at::kFloat).clone();
        const double difference = (ours - theirs).abs().max().item<double>();
        EXPECT_LE(difference, kLogitTolerance);
        std::printf("[ golden   ] %s vs llama.cpp: largest logit difference %.3g (logits up to %.3g)\n", type.c_str(), difference,
                    theirs.abs().max().item<double>());
    }
}

}  // namespace
}  // namespace egmf
