#include "chatglm.h"

namespace egmf::model {

GlmSelfAttentionImpl::GlmSelfAttentionImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora)
    : m_heads(c.numAttentionHeads), m_groups(c.numKeyValueHeads), m_headDim(c.effectiveHeadDim()) {
    const auto width = (m_heads + 2 * m_groups) * m_headDim;
    query_key_value =
        register_module("query_key_value", LoraLinear(c.hiddenSize, width, c.attentionBias, adapterFor(lora, "query_key_value")));
    dense = register_module("dense", LoraLinear(m_heads * m_headDim, c.hiddenSize, false, adapterFor(lora, "dense")));
}

Tensor GlmSelfAttentionImpl::forward(const Tensor& x, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                                     const Tensor& blocked) {
    const auto length = x.size(0);
    const auto mixed = query_key_value->forward(x);
    // [all q; all k; all v] along the output, as modeling_chatglm.py splits it.
    auto part = [&](std::int64_t start, std::int64_t count) {
        return mixed.narrow(-1, start * m_headDim, count * m_headDim).reshape({length, count, m_headDim}).transpose(0, 1);
    };
    const auto q = rope.apply(part(0, m_heads), positions);
    const auto k = rope.apply(part(m_heads, m_groups), positions);
    const auto v = part(m_heads + m_groups, m_groups);
    return dense->forward(attendWithCache(q, k, v, keys, values, blocked));
}

GlmMlpImpl::GlmMlpImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    dense_h_to_4h =
        register_module("dense_h_to_4h", LoraLinear(c.hiddenSize, 2 * c.intermediateSize, false, adapterFor(lora, "dense_h_to_4h")));
    dense_4h_to_h =
        register_module("dense_4h_to_h", LoraLinear(c.intermediateSize, c.hiddenSize, false, adapterFor(lora, "dense_4h_to_h")));
}

Tensor GlmMlpImpl::forward(const Tensor& x) {
    const auto gateAndUp = dense_h_to_4h->forward(x).chunk(2, -1);
    return dense_4h_to_h->forward(at::silu(gateAndUp[0]) * gateAndUp[1]);
}

GlmBlockImpl::GlmBlockImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    input_layernorm = register_module("input_layernorm", RmsNorm(c.hiddenSize, c.rmsNormEps, true));
    self_attention = register_module("self_attention", GlmSelfAttention(c, lora));
    post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(c.hiddenSize, c.rmsNormEps, true));
    mlp = register_module("mlp", GlmMlp(c, lora));
}

Tensor GlmBlockImpl::forward(const Tensor& h, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                             const Tensor& blocked) {
    const auto attended = h + self_attention->forward(input_layernorm->forward(h), rope, positions, keys, values, blocked);
    return attended + mlp->forward(post_attention_layernorm->forward(attended));
}

GlmEmbeddingImpl::GlmEmbeddingImpl(const LlmConfig& c) {
    word_embeddings = register_module("word_embeddings", TokenEmbedding(c.vocabSize, c.hiddenSize));
}

GlmTransformerImpl::GlmTransformerImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < c.numHiddenLayers; ++i) {
        layers->push_back(GlmBlock(c, lora));
    }
    final_layernorm = register_module("final_layernorm", RmsNorm(c.hiddenSize, c.rmsNormEps, true));
}

ChatGlmModelImpl::ChatGlmModelImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    embedding = register_module("embedding", GlmEmbedding(c));
    encoder = register_module("encoder", GlmTransformer(c, lora));
    output_layer = register_module("output_layer", LoraLinear(c.hiddenSize, c.vocabSize, false, std::nullopt));
}

ChatGlmForConditionalGenerationImpl::ChatGlmForConditionalGenerationImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora)
    : CausalLmImpl(c) {
    transformer = register_module("transformer", ChatGlmModel(c, lora));
}

}  // namespace egmf::model
