#include "llama.h"

#include "layer_checkpoint.h"

#include <cmath>
#include <limits>

namespace egmf::model {

RmsNormImpl::RmsNormImpl(std::int64_t dim, double eps) : m_eps(eps) {
    weight = register_parameter("weight", baseWeight({dim}, [](Tensor& w) { w.fill_(1.0); }));
}

TokenEmbeddingImpl::TokenEmbeddingImpl(std::int64_t count, std::int64_t dim) {
    weight = register_parameter("weight", baseWeight({count, dim}, [](Tensor& w) { w.normal_(); }));
}

Tensor RmsNormImpl::forward(const Tensor& x) {
    const auto x32 = x.to(at::kFloat);
    const auto normed = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + m_eps);
    return weight * normed.to(x.scalar_type());
}

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
    // cat makes new tensors: the caller's previous cache stays intact for other continuations.
    keys = keys.defined() ? at::cat({keys, k}, 1) : k;
    values = values.defined() ? at::cat({values, v}, 1) : v;

    const auto groups = m_heads / m_kvHeads;
    const auto allKeys = groups == 1 ? keys : keys.repeat_interleave(groups, 0);
    const auto allValues = groups == 1 ? values : values.repeat_interleave(groups, 0);
    auto scores = at::matmul(q, allKeys.transpose(1, 2)) / std::sqrt(static_cast<double>(m_headDim));
    if (blocked.defined()) {
        scores = scores.masked_fill(blocked, -std::numeric_limits<double>::infinity());
    }
    const auto weights = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
    const auto mixed = at::matmul(weights, allValues).transpose(0, 1).reshape({length, m_heads * m_headDim});
    return o_proj->forward(mixed);
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

LlamaModelImpl::LlamaModelImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) {
    embed_tokens = register_module("embed_tokens", TokenEmbedding(c.vocabSize, c.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < c.numHiddenLayers; ++i) {
        layers->push_back(LlamaDecoderLayer(c, lora));
    }
    norm = register_module("norm", RmsNorm(c.hiddenSize, c.rmsNormEps));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const LlmConfig& c, const std::optional<LoraConfig>& lora) : m_config(c), m_rope(c) {
    model = register_module("model", LlamaModel(c, lora));
    if (!c.tieWordEmbeddings) {
        // LoraLinear's initialisation is nn.Linear's (uniform, bound 1/sqrt(in)), drawn in the same order.
        lm_head = register_module("lm_head", LoraLinear(c.hiddenSize, c.vocabSize, false, std::nullopt));
    }
}

Tensor LlamaForCausalLMImpl::embed(const Tensor& ids) {
    return model->embed_tokens->forward(ids);
}

Tensor LlamaForCausalLMImpl::forward(const Tensor& embeddings, KvCache& cache) {
    const auto length = embeddings.size(0);
    const auto options = embeddings.options();
    const auto positions = at::arange(cache.length, cache.length + length, options.dtype(at::kLong));
    Tensor blocked;  // a single new token sees everything before it
    if (length > 1) {
        // Query i (absolute position past + i) sees keys 0..past + i.
        blocked = at::ones({length, cache.length + length}, options.dtype(at::kBool)).triu(cache.length + 1);
    }
    return run(embeddings, cache, positions, blocked);
}

Tensor LlamaForCausalLMImpl::forwardBranches(const Tensor& embeddings, const KvCache& prefix, const Tensor& positions,
                                             const Tensor& blocked) {
    KvCache scratch = prefix;  // handles only: run() replaces them, the prefix tensors stay
    return run(embeddings, scratch, positions, blocked);
}

Tensor LlamaForCausalLMImpl::run(const Tensor& embeddings, KvCache& cache, const Tensor& positions, const Tensor& blocked) {
    const auto layerCount = model->layers->size();
    cache.keys.resize(layerCount);
    cache.values.resize(layerCount);
    auto h = embeddings;
    // Checkpointing is for a training pass, which starts from an empty cache and keeps none.
    const bool recompute = m_checkpointLayers && is_training() && at::GradMode::is_enabled() && cache.length == 0;
    for (std::size_t i = 0; i < layerCount; ++i) {
        auto layer = model->layers->ptr<LlamaDecoderLayerImpl>(i);
        if (recompute) {
            h = checkpointedDecoderLayer(*layer, m_rope, h, positions, blocked);
            continue;
        }
        h = h + layer->self_attn->forward(layer->input_layernorm->forward(h), m_rope, positions, cache.keys[i], cache.values[i], blocked);
        h = h + layer->mlp->forward(layer->post_attention_layernorm->forward(h));
    }
    cache.length += embeddings.size(0);
    return model->norm->forward(h);
}

Tensor LlamaForCausalLMImpl::logits(const Tensor& hidden) {
    const auto& head = lm_head ? lm_head->weight : model->embed_tokens->weight;
    return at::linear(hidden, head).to(at::kFloat);
}

}  // namespace egmf::model
