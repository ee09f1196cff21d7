#include "context_attention.h"

namespace egmf::model {

ContextAttentionImpl::ContextAttentionImpl(std::int64_t pooledDim, std::int64_t contextDim, bool bidirectional)
    : m_bidirectional(bidirectional) {
    attn = register_module("attn", MultiheadAttention(pooledDim, 1));
    proj = register_module("proj", torch::nn::Linear(pooledDim, contextDim));
}

Tensor ContextAttentionImpl::forward(const Tensor& pooled) {
    Tensor later;  // a causal context does not see the utterances after its own
    if (!m_bidirectional) later = at::ones({pooled.size(0), pooled.size(0)}, pooled.options().dtype(at::kBool)).triu(1);
    return proj->forward(attn->forward(pooled, pooled, pooled, later).output);
}

}  // namespace egmf::model
