#include "causal_lm.h"

#include <cmath>
#include <limits>

#include "chatglm.h"
#include "layer_checkpoint.h"
#include "llama.h"

namespace egmf::model {

RmsNormImpl::RmsNormImpl(std::int64_t dim, double eps, bool scaleInFloat) : m_eps(eps), m_scaleInFloat(scaleInFloat) {
    weight = register_parameter("weight", baseWeight({dim}, [](Tensor& w) { w.fill_(1.0); }));
}

Tensor RmsNormImpl::forward(const Tensor& x) {
    const auto x32 = x.to(at::kFloat);
    const auto normed = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + m_eps);
    if (m_scaleInFloat) return (weight * normed).to(x.scalar_type());
    return weight * normed.to(x.scalar_type());
}

TokenEmbeddingImpl::TokenEmbeddingImpl(std::int64_t count, std::int64_t dim) {
    weight = register_parameter("weight", baseWeight({count, dim}, [](Tensor& w) { w.normal_(); }));
}

Tensor attendWithCache(const Tensor& q, const Tensor& k, const Tensor& v, Tensor& keys, Tensor& values, const Tensor& blocked) {
    // cat makes new tensors: the caller's previous cache stays intact for other continuations.
    keys = keys.defined() ? at::cat({keys, k}, 1) : k;
    values = values.defined() ? at::cat({values, v}, 1) : v;
    const auto heads = q.size(0), length = q.size(1), headDim = q.size(2);
    const auto groups = heads / keys.size(0);
    const auto allKeys = groups == 1 ? keys : keys.repeat_interleave(groups, 0);
    const auto allValues = groups == 1 ? values : values.repeat_interleave(groups, 0);
    auto scores = at::matmul(q, allKeys.transpose(1, 2)) / std::sqrt(static_cast<double>(headDim));
    if (blocked.defined()) {
        scores = scores.masked_fill(blocked, -std::numeric_limits<double>::infinity());
    }
    const auto weights = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
    return at::matmul(weights, allValues).transpose(0, 1).reshape({length, heads * headDim});
}

CausalLmImpl::CausalLmImpl(const LlmConfig& config) : m_config(config), m_rope(config) {}

Tensor CausalLmImpl::forward(const Tensor& embeddings, KvCache& cache) {
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

Tensor CausalLmImpl::forwardBranches(const Tensor& embeddings, const KvCache& prefix, const Tensor& positions, const Tensor& blocked) {
    KvCache scratch = prefix;  // handles only: run() replaces them, the prefix tensors stay
    return run(embeddings, scratch, positions, blocked);
}

Tensor CausalLmImpl::run(const Tensor& embeddings, KvCache& cache, const Tensor& positions, const Tensor& blocked) {
    const auto count = layerCount();
    cache.keys.resize(count);
    cache.values.resize(count);
    auto h = embeddings;
    // Checkpointing is for a training pass, which starts from an empty cache and keeps none.
    const bool recompute = m_checkpointLayers && is_training() && at::GradMode::is_enabled() && cache.length == 0;
    for (std::size_t i = 0; i < count; ++i) {
        h = recompute ? checkpointedDecoderLayer(layer(i), m_rope, h, positions, blocked)
                      : layer(i).forward(h, m_rope, positions, cache.keys[i], cache.values[i], blocked);
    }
    cache.length += embeddings.size(0);
    return finalNorm(h);
}

void CausalLmImpl::limitVocabulary(std::int64_t count) {
    if (!m_config.vocabularyIsPadded() || count <= 0 || count >= m_config.vocabSize) {
        m_padding = Tensor();
        return;
    }
    m_padding = at::arange(m_config.vocabSize, outputWeight().options().dtype(at::kLong)).ge(count);
}

Tensor CausalLmImpl::logits(const Tensor& hidden) {
    auto logits = at::linear(hidden, outputWeight()).to(at::kFloat);
    if (m_padding.defined()) {
        // Made on the weights' device; a model moved since gets a copy here, the member untouched.
        const auto padding = m_padding.device() == logits.device() ? m_padding : m_padding.to(logits.device());
        logits = logits.masked_fill(padding, -std::numeric_limits<double>::infinity());
    }
    return logits;
}

std::shared_ptr<CausalLmImpl> makeCausalLm(const LlmConfig& config, const std::optional<LoraConfig>& lora) {
    if (config.isChatGlm()) return std::make_shared<ChatGlmForConditionalGenerationImpl>(config, lora);
    return std::make_shared<LlamaForCausalLMImpl>(config, lora);
}

}  // namespace egmf::model
