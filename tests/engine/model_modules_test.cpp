// Shapes, masks and invariants of every EGMF module (MODEL.md), with each modality missing in turn.
#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "model/egmf.h"
#include "test_support.h"

namespace egmf::model {
namespace {

class ModelModules : public ::testing::Test {
protected:
    void SetUp() override {
        at::manual_seed(7);
        m_manifest = test::tinyManifest();
        m_model = Egmf(m_manifest);
        m_model->eval();
    }
    UtteranceInputs inputs(std::int64_t text, std::int64_t audioFrames, std::int64_t visualFrames) {
        return {at::randint(0, 256, {text}, at::kLong), at::randn({audioFrames, m_manifest.audioFeatureDim}),
                at::randn({visualFrames, m_manifest.visualFeatureDim})};
    }
    Manifest m_manifest;
    Egmf m_model{nullptr};
    c10::InferenceMode m_inference;
};

TEST_F(ModelModules, encodeAndFuse_giveShapesAndSpans_withEachModalityMissing) {
    const std::int64_t d = m_manifest.fusionDim, heads = m_manifest.fusionHeads;
    struct Case {
        std::int64_t text, audio, visual;
    };
    for (auto c :
         {Case{5, 17, 3}, Case{0, 17, 3}, Case{5, 0, 3}, Case{5, 17, 0}, Case{5, 0, 0}, Case{0, 17, 0}, Case{0, 0, 3}, Case{1, 1, 1}}) {
        auto e = m_model->encode(inputs(c.text, c.audio, c.visual));
        const std::int64_t audio = (c.audio + 3) / 4;  // two stride-2 convolutions
        EXPECT_EQ(e.text.sizes(), (at::IntArrayRef{c.text, d}));
        EXPECT_EQ(e.audio.sizes(), (at::IntArrayRef{audio, d}));
        EXPECT_EQ(e.visual.sizes(), (at::IntArrayRef{c.visual, d}));
        m_model->fuse(e);
        const auto av = audio + c.visual;
        EXPECT_EQ(e.fusion.fused.sizes(), (at::IntArrayRef{c.text + av, d}));
        EXPECT_EQ(e.fusion.textToAv.sizes(), (at::IntArrayRef{heads, c.text, av}));
        EXPECT_EQ(e.fusion.avToText.sizes(), (at::IntArrayRef{heads, av, c.text}));
        EXPECT_FALSE(e.fusion.fused.isnan().any().item<bool>());
        EXPECT_EQ(e.pooled.sizes(), (at::IntArrayRef{d}));
        EXPECT_EQ(e.spans, (ModalitySpans{c.text, audio, c.visual}));
        if (c.text > 0 && av > 0) {
            // Attention rows are distributions over the other side.
            EXPECT_TRUE(at::allclose(e.fusion.textToAv.sum(-1), at::ones({heads, c.text}), 1e-5, 1e-5));
            EXPECT_TRUE(at::allclose(e.fusion.avToText.sum(-1), at::ones({heads, av}), 1e-5, 1e-5));
        }
    }
}

TEST_F(ModelModules, attention_overEmptyKeys_isZeroNotNaN) {
    MultiheadAttention attention(8, 2);
    auto out = attention->forward(at::randn({3, 8}), at::zeros({0, 8}), at::zeros({0, 8}));
    EXPECT_TRUE(out.output.eq(0).all().item<bool>());
    EXPECT_EQ(out.weights.sizes(), (at::IntArrayRef{2, 3, 0}));
    auto none = attention->forward(at::zeros({0, 8}), at::randn({4, 8}), at::randn({4, 8}));
    EXPECT_EQ(none.output.sizes(), (at::IntArrayRef{0, 8}));
}

TEST_F(ModelModules, gates_sumToOne_andAlphaIsInOpenUnitInterval) {
    auto e = m_model->encode(inputs(6, 30, 4));
    m_model->fuse(e);
    const auto context = at::randn({m_manifest.contextDim()});
    auto out = m_model->enhance(e, context, {});
    const auto positions = e.fusion.fused.size(0);
    for (const auto& g : {out.gates.featureGates, out.gates.contextGates, out.gates.gates}) {
        EXPECT_EQ(g.sizes(), (at::IntArrayRef{positions, 3}));
        EXPECT_TRUE(at::allclose(g.sum(-1), at::ones({positions}), 1e-5, 1e-6));
        EXPECT_TRUE(g.ge(0).all().item<bool>());
    }
    EXPECT_TRUE(out.gates.alpha.gt(0).all().item<bool>());
    EXPECT_TRUE(out.gates.alpha.lt(1).all().item<bool>());
    // g = normalize(g_f * g_c)
    const auto product = out.gates.featureGates * out.gates.contextGates;
    EXPECT_TRUE(at::allclose(out.gates.gates, product / product.sum(-1, true), 1e-5, 1e-6));
}

TEST_F(ModelModules, disablingExperts_zeroesTheirGates_andOthersRenormalise) {
    auto e = m_model->encode(inputs(4, 20, 2));
    m_model->fuse(e);
    const auto context = at::randn({m_manifest.contextDim()});
    auto full = m_model->enhance(e, context, {});
    std::bitset<3> semanticOff;
    semanticOff[1] = true;
    auto partial = m_model->enhance(e, context, semanticOff);
    EXPECT_TRUE(partial.gates.gates.select(1, 1).eq(0).all().item<bool>());
    EXPECT_TRUE(at::allclose(partial.gates.gates.sum(-1), at::ones({e.fusion.fused.size(0)}), 1e-5, 1e-6));
    const auto kept = full.gates.gates.index_select(1, at::tensor({0, 2}));
    EXPECT_TRUE(at::allclose(partial.gates.gates.index_select(1, at::tensor({0, 2})), kept / kept.sum(-1, true), 1e-5, 1e-6));
    EXPECT_FALSE(at::allclose(partial.enhanced, full.enhanced));

    auto allOff = m_model->enhance(e, context, std::bitset<3>().set());
    EXPECT_TRUE(at::equal(allOff.enhanced, e.fusion.fused));
    EXPECT_TRUE(allOff.gates.gates.eq(0).all().item<bool>());
    EXPECT_TRUE(allOff.gates.alpha.eq(1).all().item<bool>());
}

TEST_F(ModelModules, localExpert_doesNotMixAcrossModalitySpans) {
    auto e = m_model->encode(inputs(4, 16, 3));
    m_model->fuse(e);
    auto expert = m_model->enhancer->local;
    const auto before = expert->forward(e.fusion.fused, e.spans);
    auto changed = e.fusion.fused.clone();
    changed[4] += 10.0;  // first audio position
    const auto after = expert->forward(changed, e.spans);
    // The last text position is a neighbour in H_f but in another span: unchanged.
    EXPECT_TRUE(at::allclose(before[3], after[3]));
    EXPECT_FALSE(at::allclose(before[5], after[5]));
}

TEST_F(ModelModules, contextGru_isBidirectional_whenManifestSaysSo) {
    const auto pooled = at::randn({5, m_manifest.fusionDim});
    const auto context = m_model->dialogueContext(pooled);
    EXPECT_EQ(context.sizes(), (at::IntArrayRef{5, m_manifest.contextDim()}));
    // The backward half of the first utterance depends on the last utterance.
    auto changed = pooled.clone();
    changed[4] += 1.0;
    const auto other = m_model->dialogueContext(changed);
    const auto h = m_manifest.contextHidden;
    EXPECT_TRUE(at::allclose(context[0].slice(0, 0, h), other[0].slice(0, 0, h)));
    EXPECT_FALSE(at::allclose(context[0].slice(0, h), other[0].slice(0, h)));
}

TEST_F(ModelModules, pseudoTokens_haveTheLlmWidth) {
    auto e = m_model->encode(inputs(3, 8, 2));
    m_model->fuse(e);
    const auto p = m_model->pseudoTokens(e.fusion.fused, e.spans);
    EXPECT_EQ(p.sizes(), (at::IntArrayRef{m_manifest.pseudoTokens, m_manifest.llm.hiddenSize}));
}

}  // namespace
}  // namespace egmf::model
