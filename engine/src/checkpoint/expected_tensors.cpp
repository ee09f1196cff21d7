#include "egmf/app/expected_tensors.h"

#include <algorithm>
#include <cmath>

namespace egmf::checkpoint {
namespace {

using Shape = std::vector<std::int64_t>;

class Table {
public:
    void add(const std::string& key, Shape shape) { tensors.push_back({key, std::move(shape)}); }
    void linear(const std::string& prefix, std::int64_t in, std::int64_t out, bool bias = true) {
        add(prefix + ".weight", {out, in});
        if (bias) add(prefix + ".bias", {out});
    }
    void layerNorm(const std::string& prefix, std::int64_t dim) {
        add(prefix + ".weight", {dim});
        add(prefix + ".bias", {dim});
    }
    void attention(const std::string& prefix, std::int64_t dim) {
        add(prefix + ".in_proj_weight", {3 * dim, dim});
        add(prefix + ".in_proj_bias", {3 * dim});
        linear(prefix + ".out_proj", dim, dim);
    }
    void conv(const std::string& prefix, std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t groups = 1) {
        add(prefix + ".weight", {out, in / groups, kernel});
        add(prefix + ".bias", {out});
    }
    void bottleneck(const std::string& prefix, std::int64_t dim, double ratio) {
        const auto hidden = std::max<std::int64_t>(1, std::llround(static_cast<double>(dim) * ratio));
        linear(prefix + ".fc1", dim, hidden);
        linear(prefix + ".fc2", hidden, dim);
    }
    std::vector<ExpectedTensor> tensors;
};

void addLlm(Table& t, const Manifest& m) {
    const auto& l = m.llm;
    const auto head = l.effectiveHeadDim();
    const auto targets = m.lora ? m.lora->targetModules : std::vector<std::string>{};
    const auto projection = [&](const std::string& layer, const std::string& name, std::int64_t in, std::int64_t out, bool bias) {
        t.linear(layer + "." + name, in, out, bias);
        const auto module = name.substr(name.find('.') + 1);
        if (std::find(targets.begin(), targets.end(), module) != targets.end()) {
            const auto lora = "lora" + layer.substr(3) + "." + name;  // "llm.<path>" -> "lora.<path>"
            t.add(lora + ".lora_A.weight", {m.lora->rank, in});
            t.add(lora + ".lora_B.weight", {out, m.lora->rank});
        }
    };
    if (l.isChatGlm()) {  // model/llm/chatglm.h
        t.add("llm.transformer.embedding.word_embeddings.weight", {l.vocabSize, l.hiddenSize});
        for (std::int64_t i = 0; i < l.numHiddenLayers; ++i) {
            const auto layer = "llm.transformer.encoder.layers." + std::to_string(i);
            t.add(layer + ".input_layernorm.weight", {l.hiddenSize});
            const auto qkv = (l.numAttentionHeads + 2 * l.numKeyValueHeads) * head;
            projection(layer, "self_attention.query_key_value", l.hiddenSize, qkv, l.attentionBias);
            projection(layer, "self_attention.dense", l.numAttentionHeads * head, l.hiddenSize, false);
            t.add(layer + ".post_attention_layernorm.weight", {l.hiddenSize});
            projection(layer, "mlp.dense_h_to_4h", l.hiddenSize, 2 * l.intermediateSize, false);
            projection(layer, "mlp.dense_4h_to_h", l.intermediateSize, l.hiddenSize, false);
        }
        t.add("llm.transformer.encoder.final_layernorm.weight", {l.hiddenSize});
        t.add("llm.transformer.output_layer.weight", {l.vocabSize, l.hiddenSize});
        return;
    }
    t.add("llm.model.embed_tokens.weight", {l.vocabSize, l.hiddenSize});
    for (std::int64_t i = 0; i < l.numHiddenLayers; ++i) {
        const auto layer = "llm.model.layers." + std::to_string(i);
        projection(layer, "self_attn.q_proj", l.hiddenSize, l.numAttentionHeads * head, l.attentionBias);
        projection(layer, "self_attn.k_proj", l.hiddenSize, l.numKeyValueHeads * head, l.attentionBias);
        projection(layer, "self_attn.v_proj", l.hiddenSize, l.numKeyValueHeads * head, l.attentionBias);
        projection(layer, "self_attn.o_proj", l.numAttentionHeads * head, l.hiddenSize, false);
        projection(layer, "mlp.gate_proj", l.hiddenSize, l.intermediateSize, false);
        projection(layer, "mlp.up_proj", l.hiddenSize, l.intermediateSize, false);
        projection(layer, "mlp.down_proj", l.intermediateSize, l.hiddenSize, false);
        t.add(layer + ".input_layernorm.weight", {l.hiddenSize});
        t.add(layer + ".post_attention_layernorm.weight", {l.hiddenSize});
    }
    t.add("llm.model.norm.weight", {l.hiddenSize});
    if (!l.tieWordEmbeddings) t.add("llm.lm_head.weight", {l.vocabSize, l.hiddenSize});
}

void encoderLayer(Table& t, const std::string& prefix, std::int64_t d, std::int64_t feedForward) {
    t.attention(prefix + ".self_attn", d);
    t.linear(prefix + ".linear1", d, feedForward);
    t.linear(prefix + ".linear2", feedForward, d);
    t.layerNorm(prefix + ".norm1", d);
    t.layerNorm(prefix + ".norm2", d);
}

void audioBranch(Table& t, const std::string& prefix, const Manifest& m) {
    t.conv(prefix + ".conv1", m.audioFeatureDim, m.fusionDim, 3);
    t.conv(prefix + ".conv2", m.fusionDim, m.fusionDim, 3);
    encoderLayer(t, prefix + ".encoder_layer", m.fusionDim, m.audioFeedForward);
}

void gru(Table& t, const std::string& prefix, std::int64_t inputDim, std::int64_t hidden, bool bidirectional) {
    for (const std::string suffix : {"", "_reverse"}) {
        if (!suffix.empty() && !bidirectional) break;
        t.add(prefix + ".weight_ih_l0" + suffix, {3 * hidden, inputDim});
        t.add(prefix + ".weight_hh_l0" + suffix, {3 * hidden, hidden});
        t.add(prefix + ".bias_ih_l0" + suffix, {3 * hidden});
        t.add(prefix + ".bias_hh_l0" + suffix, {3 * hidden});
    }
}

void gru(Table& t, const std::string& prefix, const Manifest& m, std::int64_t inputDim) {
    gru(t, prefix, inputDim, m.contextHidden, m.contextBidirectional);
}

/// MERITS-L (docs/merits-l.md): the module tree of engine/src/model/merits.h.
std::vector<ExpectedTensor> meritsTensors(const Manifest& m) {
    Table t;
    const auto d = m.fusionDim, c = m.contextDim();
    const auto classes = static_cast<std::int64_t>(m.labels.size());
    t.add("text_embed.weight", {m.llm.vocabSize, m.llm.hiddenSize});
    t.linear("text_proj", m.llm.hiddenSize, d);
    encoderLayer(t, "text_encoder", d, m.audioFeedForward);
    audioBranch(t, "audio_encoder", m);
    t.linear("text_head", d, classes);
    t.linear("audio_head", d, classes);
    for (const std::string side : {"text", "audio"}) {
        gru(t, side + "_context.gru", m, d);
        t.attention(side + "_context.attention", c);
        t.linear(side + "_context_head", c, classes);
    }
    t.attention("coattention.text_to_audio", c);
    t.attention("coattention.audio_to_text", c);
    t.linear("fusion_head", 2 * c, classes);
    return t.tensors;
}

}  // namespace

std::vector<ExpectedTensor> expectedTensors(const Manifest& m) {
    if (m.architecture == "merits-l") return meritsTensors(m);
    Table t;
    const auto d = m.fusionDim;
    audioBranch(t, "av_encoder.audio", m);
    t.linear("av_encoder.visual.proj", m.visualFeatureDim, d);
    t.conv("av_encoder.visual.temporal_conv", d, d, 3);
    t.linear("text_proj", m.llm.hiddenSize, d);
    t.add("fusion.modality_embedding", {3, d});
    t.attention("fusion.text_to_av", d);
    t.attention("fusion.av_to_text", d);
    t.layerNorm("fusion.norm_text", d);
    t.layerNorm("fusion.norm_av", d);
    // The design's modules (model/egmf.h registers them in this order).
    const auto& design = m.design;
    const auto c = m.contextDim(), pooled = m.pooledDim(design.contextPooling);
    if (design.contextPooling == "attention") t.linear("context_pool.score", d, 1);
    if (design.context == "gru") gru(t, "context_gru", m, pooled);
    if (design.context == "attention") {
        t.attention("context_attention.attn", pooled);
        t.linear("context_attention.proj", pooled, c);
    }
    const auto ratio = [&](std::size_t i) { return i < m.expertRatios.size() ? m.expertRatios[i] : 0.0; };
    t.bottleneck("enhancer.local", d, ratio(0));
    if (design.local == "conv") t.conv("enhancer.local.mix", d, d, m.localKernel, d);
    if (design.local == "window_attention") t.attention("enhancer.local.attn", d);
    t.bottleneck("enhancer.semantic", d, ratio(1));
    t.attention("enhancer.semantic.attn", d);
    t.bottleneck("enhancer.global", d, ratio(2));
    if (design.global == "attention") t.attention("enhancer.global.attn", d);
    if (design.global == "dialogue_gru") gru(t, "enhancer.global.gru", pooled, d / 2, true);
    t.linear("enhancer.gate.feature", d, 3);
    t.linear("enhancer.gate.context", d + c + (design.gates == "sequential" ? 3 : 0), 3);
    t.linear("enhancer.gate.residual", d + c, 1);
    if (design.modalityGate) t.linear("enhancer.gate.modality", d + c, 3);
    t.linear("pseudo_tokens.proj", m.pooledDim(design.pseudoPooling), m.pseudoTokens * m.llm.hiddenSize);
    if (design.pseudoPooling == "attention") t.linear("pseudo_tokens.pool.score", d, 1);
    addLlm(t, m);
    return t.tensors;
}

}  // namespace egmf::checkpoint
