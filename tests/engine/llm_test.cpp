// The decoders (Llama, ChatGLM3): the KV cache changes nothing but speed, LoRA starts as a no-op,
// label scores equal a full recomputation, padding rows of the vocabulary get no probability.
#include <algorithm>

#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "model/llm/chatglm.h"
#include "model/llm/generation.h"
#include "model/llm/llama.h"
#include "test_support.h"

namespace egmf::model {
namespace {

class Llm : public ::testing::Test {
protected:
    void SetUp() override {
        at::manual_seed(11);
        m_config = test::tinyManifest().llm;
    }
    LlmConfig m_config;
    c10::InferenceMode m_inference;
};

// Greedy decoding recomputing the whole sequence at every step: no cache.
std::vector<std::int64_t> generateUncached(CausalLmImpl& llm, at::Tensor embeddings, int maxNew, std::int64_t eos) {
    std::vector<std::int64_t> out;
    for (int step = 0; step < maxNew; ++step) {
        KvCache fresh;
        const auto next = llm.logits(llm.forward(embeddings, fresh)[-1]).argmax().item<std::int64_t>();
        if (next == eos) {
            break;
        }
        out.push_back(next);
        embeddings = at::cat({embeddings, llm.embed(at::tensor({next}))}, 0);
    }
    return out;
}

TEST_F(Llm, cachedGeneration_equalsUncached) {
    for (bool tied : {false, true}) {
        m_config.tieWordEmbeddings = tied;
        LlamaForCausalLM llm(m_config, LoraConfig{4, 8, 0.0, false, {"q_proj", "v_proj"}});
        llm->eval();
        const auto prompt = at::randn({9, m_config.hiddenSize});
        const auto state = runPrompt(*llm, prompt);
        const auto cached = generateGreedy(*llm, state, 12, -1);
        EXPECT_EQ(cached, generateUncached(*llm, prompt, 12, -1));
        EXPECT_EQ(cached.size(), 12u);
        // The cache is not consumed: a second generation from it gives the same tokens.
        EXPECT_EQ(generateGreedy(*llm, state, 12, -1), cached);
    }
}

TEST_F(Llm, cachedLogits_equalFullSequenceLogits) {
    LlamaForCausalLM llm(m_config, std::nullopt);
    const auto sequence = at::randn({10, m_config.hiddenSize});
    KvCache full;
    const auto all = llm->logits(llm->forward(sequence, full));
    KvCache split;
    llm->forward(sequence.slice(0, 0, 6), split);
    const auto tail = llm->logits(llm->forward(sequence.slice(0, 6), split));
    EXPECT_TRUE(at::allclose(tail, all.slice(0, 6), 1e-5, 1e-5));
    EXPECT_EQ(split.length, 10);
}

TEST_F(Llm, untrainedLora_changesNothing_andTrainedLoraDoes) {
    LlamaForCausalLM base(m_config, std::nullopt);
    LlamaForCausalLM adapted(m_config, LoraConfig{4, 16, 0.0, false, {"q_proj", "v_proj", "down_proj"}});
    // Same base weights in both.
    auto adaptedParameters = adapted->named_parameters(true);
    for (const auto& item : base->named_parameters(true)) {
        adaptedParameters[item.key()].copy_(item.value());
    }
    const auto x = at::randn({5, m_config.hiddenSize});
    KvCache a, b;
    EXPECT_TRUE(at::equal(base->forward(x, a), adapted->forward(x, b)));
    auto layer = adapted->model->layers->ptr<LlamaDecoderLayerImpl>(0);
    ASSERT_TRUE(layer->self_attn->q_proj->hasAdapter());
    EXPECT_FALSE(layer->self_attn->k_proj->hasAdapter());
    layer->self_attn->q_proj->lora_B->weight.normal_();
    KvCache c, d;
    EXPECT_FALSE(at::allclose(base->forward(x, c), adapted->forward(x, d)));
}

TEST_F(Llm, loraDropout_actsOnTheAdapterInput_inTrainingOnly) {
    const LoraConfig lora{4, 16, 0.5, false, {"q_proj"}};
    LoraLinear projection(m_config.hiddenSize, m_config.hiddenSize, false, lora);
    projection->lora_B->weight.normal_();
    const auto x = at::randn({5, m_config.hiddenSize});
    const auto base = at::linear(x, projection->weight);
    const auto adapter = projection->lora_B->forward(projection->lora_A->forward(x)) * lora.scale();
    projection->eval();
    EXPECT_TRUE(at::allclose(projection->forward(x), base + adapter, 1e-5, 1e-5));
    projection->train();
    // In training each call drops a different half of the adapter's input; the base path is whole.
    const auto first = projection->forward(x), second = projection->forward(x);
    EXPECT_FALSE(at::allclose(first, second));
    EXPECT_FALSE(at::allclose(first, base + adapter));
    projection->lora_B->weight.zero_();
    EXPECT_TRUE(at::allclose(projection->forward(x), base, 1e-6, 1e-6));
}

/// The gradients of x (when it needs one) and of every parameter for a fixed loss, with or without
/// checkpointed layers; the same dropout both ways.
std::vector<at::Tensor> gradientsOf(CausalLmImpl& llm, const at::Tensor& x, bool checkpoint) {
    llm.setActivationCheckpointing(checkpoint);
    llm.zero_grad();
    if (x.grad().defined()) x.mutable_grad().zero_();
    at::manual_seed(99);
    KvCache cache;
    llm.logits(llm.forward(x, cache)).logsumexp(-1).sum().backward();
    std::vector<at::Tensor> all;
    if (x.requires_grad()) all.push_back(x.grad().clone());
    for (const auto& p : llm.parameters()) all.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
    return all;
}

double largestDifference(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    double largest = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) largest = std::max(largest, (a[i] - b[i]).abs().max().item<double>());
    return largest;
}

// Outside the fixture: it trains, so no inference mode.
TEST(LlmTraining, checkpointedLayers_giveThePlainPassesGradients_loraDropoutIncluded) {
    at::manual_seed(5);
    const auto config = test::tinyManifest().llm;
    LlamaForCausalLM llm(config, LoraConfig{4, 16, 0.3, false, {"q_proj", "v_proj", "down_proj"}});
    {
        at::NoGradGuard noGrad;
        for (auto& item : llm->named_parameters(true)) {
            if (item.key().find("lora_B") != std::string::npos) item.value().normal_();  // adapters that matter
        }
    }
    llm->train();
    const auto x = at::randn({7, config.hiddenSize}).requires_grad_(true);
    const auto plain = gradientsOf(*llm, x, false), checkpointed = gradientsOf(*llm, x, true);
    ASSERT_EQ(plain.size(), checkpointed.size());
    EXPECT_LT(largestDifference(plain, checkpointed), 1e-6) << "checkpointing changes no gradient";
    // Over inputs that need no gradient (frozen embeddings), the adapter still gets its own.
    {
        const auto frozen = x.detach();
        const auto a = gradientsOf(*llm, frozen, false), b = gradientsOf(*llm, frozen, true);
        double size = 0;
        for (const auto& gradient : b) size += gradient.abs().sum().item<double>();
        EXPECT_LT(largestDifference(a, b), 1e-6);
        EXPECT_GT(size, 0) << "the layers' weights got gradients through the checkpoints";
    }
    EXPECT_GT(plain[0].abs().sum().item<double>(), 0);
    // A second dropout draw differs: the equality above is not for want of dropout.
    at::manual_seed(100);
    KvCache cache;
    llm->setActivationCheckpointing(false);
    llm->zero_grad();
    llm->logits(llm->forward(x, cache)).logsumexp(-1).sum().backward();
    double moved = 0;
    const auto params = llm->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i].grad().defined()) moved = std::max(moved, (params[i].grad() - plain[i + 1]).abs().max().item<double>());
    }
    EXPECT_GT(moved, 1e-6);
}

TEST_F(Llm, scoreContinuations_equalsSumOfFullSequenceLogProbs) {
    LlamaForCausalLM llm(m_config, std::nullopt);
    const auto prompt = at::randn({7, m_config.hiddenSize});
    const std::vector<std::vector<std::int32_t>> answers{{32, 106, 111, 121, 257}, {65}, {32, 257}};
    const auto scores = scoreContinuations(*llm, runPrompt(*llm, prompt), answers).scores;
    for (std::size_t k = 0; k < answers.size(); ++k) {
        std::vector<std::int64_t> ids(answers[k].begin(), answers[k].end());
        const auto sequence = at::cat({prompt, llm->embed(at::tensor(ids))}, 0);
        KvCache fresh;
        const auto logProbs = at::log_softmax(llm->logits(llm->forward(sequence, fresh)), -1);
        double expected = 0;
        for (std::size_t t = 0; t < ids.size(); ++t) {
            expected += logProbs[6 + static_cast<std::int64_t>(t)][ids[t]].item<double>();
        }
        EXPECT_NEAR(scores[k], expected, 1e-4);
    }
}

TEST_F(Llm, generationFromLabelDrafts_equalsPlainGreedy_onTheDraftsAndAfterLeavingThem) {
    LlamaForCausalLM llm(m_config, LoraConfig{4, 8, 0.0, false, {"q_proj", "v_proj"}});
    llm->eval();
    const auto state = runPrompt(*llm, at::randn({8, m_config.hiddenSize}));
    const auto plain = generateGreedy(*llm, state, 10, -1);
    ASSERT_EQ(plain.size(), 10u);
    const auto other = [&](std::int64_t token) { return static_cast<std::int32_t>((token + 1) % m_config.vocabSize); };
    // Greedy follows a continuation for 4 tokens, then leaves it (the decoder runs from there).
    std::vector<std::int32_t> leaves(plain.begin(), plain.begin() + 4);
    leaves.push_back(other(plain[4]));
    const std::vector<std::vector<std::int32_t>> unrelated{{other(plain[0]), 7, 9}};
    auto drafts = scoreContinuations(*llm, state, {unrelated[0], leaves});
    EXPECT_EQ(generateGreedy(*llm, state, 10, -1, &drafts), plain);
    // Wholly on a continuation longer than the generation: no decoder pass at all.
    std::vector<std::int32_t> whole(plain.begin(), plain.end());
    whole.push_back(0);
    drafts = scoreContinuations(*llm, state, {whole});
    EXPECT_EQ(generateGreedy(*llm, state, 10, -1, &drafts), plain);
    // On no continuation at all.
    drafts = scoreContinuations(*llm, state, unrelated);
    EXPECT_EQ(generateGreedy(*llm, state, 10, -1, &drafts), plain);
    // An EOS the drafts predict ends the generation as it does without them.
    const auto eos = plain[3];
    const auto stopped = generateGreedy(*llm, state, 10, eos);
    drafts = scoreContinuations(*llm, state, {whole});
    EXPECT_EQ(generateGreedy(*llm, state, 10, eos, &drafts), stopped);
}

TEST_F(Llm, rope_scalings_changeFrequencies_asSpecified) {
    const auto x = at::randn({2, 5, m_config.effectiveHeadDim()});
    const auto plain = RotaryEmbedding(m_config).apply(x, 3);
    auto linear = m_config;
    linear.ropeType = "linear";
    linear.ropeFactor = 2.0;
    // Linear scaling by 2 at position p equals no scaling at position p / 2: check p = 6 vs 3.
    const auto scaledAt6 = RotaryEmbedding(linear).apply(x.slice(1, 0, 1), 6);
    EXPECT_TRUE(at::allclose(scaledAt6, plain.slice(1, 0, 1), 1e-5, 1e-5));
    // Position 0 is never rotated.
    EXPECT_TRUE(at::allclose(RotaryEmbedding(m_config).apply(x, 0).select(1, 0), x.select(1, 0)));
}

/// A small ChatGLM3: 2 multi-query groups for 4 heads, half of each 16-wide head rotated, base
/// 20000 (rope_ratio 2); the tests treat the last 8 of its 112 rows as padding.
LlmConfig tinyChatGlm() {
    LlmConfig c;
    c.modelType = "chatglm";
    c.vocabSize = 112, c.hiddenSize = 64, c.intermediateSize = 96, c.numHiddenLayers = 2;
    c.numAttentionHeads = 4, c.numKeyValueHeads = 2, c.headDim = 16, c.ropeTheta = 20000, c.attentionBias = true, c.eosTokenId = 2;
    return c;
}

TEST_F(Llm, chatGlm_cachedGenerationAndBranchScores_equalFullRecomputation) {
    const auto config = tinyChatGlm();
    auto llm = makeCausalLm(config, LoraConfig{4, 8, 0.0, false, {"query_key_value", "dense_h_to_4h"}});
    llm->eval();
    ASSERT_NE(dynamic_cast<ChatGlmForConditionalGenerationImpl*>(llm.get()), nullptr);
    const auto prompt = at::randn({9, config.hiddenSize});
    const auto state = runPrompt(*llm, prompt);
    const auto cached = generateGreedy(*llm, state, 8, -1);
    EXPECT_EQ(cached, generateUncached(*llm, prompt, 8, -1));
    const std::vector<std::vector<std::int32_t>> answers{{5, 17, 2}, {40}, {5, 2}};
    const auto scores = scoreContinuations(*llm, state, answers).scores;
    for (std::size_t k = 0; k < answers.size(); ++k) {
        std::vector<std::int64_t> ids(answers[k].begin(), answers[k].end());
        KvCache fresh;
        const auto logProbs = at::log_softmax(llm->logits(llm->forward(at::cat({prompt, llm->embed(at::tensor(ids))}, 0), fresh)), -1);
        double expected = 0;
        for (std::size_t t = 0; t < ids.size(); ++t) expected += logProbs[8 + static_cast<std::int64_t>(t)][ids[t]].item<double>();
        EXPECT_NEAR(scores[k], expected, 1e-4);
    }
}

TEST_F(Llm, paddedVocabulary_neverGenerated_andScoresNormalisedWithoutIt) {
    const auto config = tinyChatGlm();
    auto llm = std::make_shared<ChatGlmForConditionalGenerationImpl>(config, std::nullopt);
    llm->eval();
    // Padding rows that would win every step if they counted.
    llm->transformer->output_layer->weight.slice(0, 104).fill_(5.0);
    const auto prompt = at::randn({6, config.hiddenSize});
    const auto unlimited = generateGreedy(*llm, runPrompt(*llm, prompt), 6, -1);
    ASSERT_FALSE(unlimited.empty());
    EXPECT_GE(*std::max_element(unlimited.begin(), unlimited.end()), 104) << "the padding rows must be tempting for this test";
    llm->limitVocabulary(104);
    const auto state = runPrompt(*llm, prompt);
    const auto limited = generateGreedy(*llm, state, 6, -1);
    ASSERT_EQ(limited.size(), 6u);
    for (const auto id : limited) EXPECT_LT(id, 104);
    EXPECT_NEAR(at::log_softmax(state.lastLogits, -1).slice(0, 0, 104).exp().sum().item<double>(), 1.0, 1e-5);
}

TEST(LlmTraining, chatGlm_checkpointedBlocks_giveThePlainPassesGradients) {
    at::manual_seed(6);
    const auto config = tinyChatGlm();
    auto llm = makeCausalLm(config, LoraConfig{4, 16, 0.0, false, {"query_key_value", "dense_4h_to_h"}});
    llm->train();
    const auto x = at::randn({7, config.hiddenSize}).requires_grad_(true);
    const auto plain = gradientsOf(*llm, x, false), checkpointed = gradientsOf(*llm, x, true);
    EXPECT_LT(largestDifference(plain, checkpointed), 1e-6);
    EXPECT_GT(plain[0].abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace egmf::model
