#include "llama.h"

namespace egmf::model {

LlamaAttentionImpl::LlamaAttentionImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora)
    : m_heads(c.numAttentionHeads), m_kvHeads(c.numKeyValueHeads), m_headDim(c.effectiveHeadDim()) {
    const auto hidden = c.hiddenSize;
    q_proj = register_module("q_proj", LoraLinear(hidden, m_heads * m_headDim, c.attentionBias, adapterFor(lora, "q_proj")));
    k_proj = register_module("k_proj", LoraLinear(hidden, m_kvHeads * m_headDim, c.attentionBias, adapterFor(lora, "k_proj")));
    v_proj = register_module("v_proj", LoraLinear(hidden, m_kvHeads * m_headDim, c.attentionBias, adapterFor(lora, "v_proj")));
    o_proj = register_module("o_proj", LoraLinear(m_heads * m_headDim, hidden, false, adapterFor(lora, "o_proj")));
}

Tensor LlamaAttentionImpl::forward(const Tensor& x, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                                   const Tensor& blocked) {
    const auto length = x.size(0);
    auto heads = [&](const Tensor& y, std::int64_t count) {
        return y.view({length, count, m_headDim}).transpose(0, 1);  // [count, T, headDim]
    };
    const auto q = rope.apply(heads(q_proj->forward(x), m_heads), positions);
    const auto k = rope.apply(heads(k_proj->forward(x), m_kvHeads), positions);
    const auto v = heads(v_proj->forward(x), m_kvHeads);
    return o_proj->forward(attendWithCache(q, k, v, keys, values, blocked));
}

LlamaMlpImpl::LlamaMlpImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    gate_proj = register_module("gate_proj", LoraLinear(c.hiddenSize, c.intermediateSize, false, adapterFor(lora, "gate_proj")));
    up_proj = register_module("up_proj", LoraLinear(c.hiddenSize, c.intermediateSize, false, adapterFor(lora, "up_proj")));
    down_proj = register_module("down_proj", LoraLinear(c.intermediateSize, c.hiddenSize, false, adapterFor(lora, "down_proj")));
}

Tensor LlamaMlpImpl::forward(const Tensor& x) {
    return down_proj->forward(at::silu(gate_proj->forward(x)) * up_proj->forward(x));
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    self_attn = register_module("self_attn", LlamaAttention(c, lora));
    mlp = register_module("mlp", LlamaMlp(c, lora));
    input_layernorm = register_module("input_layernorm", RmsNorm(c.hiddenSize, c.rmsNormEps));
    post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(c.hiddenSize, c.rmsNormEps));
}

Tensor LlamaDecoderLayerImpl::forward(const Tensor& h, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                                      const Tensor& blocked) {
    const auto attended = h + self_attn->forward(input_layernorm->forward(h), rope, positions, keys, values, blocked);
    return attended + mlp->forward(post_attention_layernorm->forward(attended));
}

LlamaModelImpl::LlamaModelImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    embed_tokens = register_module("embed_tokens", TokenEmbedding(c.vocabSize, c.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < c.numHiddenLayers; ++i) {
        layers->push_back(LlamaDecoderLayer(c, lora));
    }
    norm = register_module("norm", RmsNorm(c.hiddenSize, c.rmsNormEps));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) : CausalLmImpl(c) {
    model = register_module("model", LlamaModel(c, lora));
    if (!c.tieWordEmbeddings) {
        // LoraLinear's initialisation is nn.Linear's (uniform, bound 1/sqrt(in)), drawn in the same order.
        lm_head = register_module("lm_head", LoraLinear(c.hiddenSize, c.vocabSize, false, std::nullopt));
    }
}

Tensor LlamaForCausalLMImpl::embed(const Tensor& ids) {
    return model->embed_tokens->forward(ids);
}

}  // namespace egmf::model
