#pragma once
// Multi-head attention with PyTorch nn.MultiheadAttention's semantics and parameter names
// (packed in_proj_weight/in_proj_bias, out_proj), on unbatched [T, d] inputs, returning the
// attention weights per head for the traces. Attention over an empty key set gives a zero output
// and a weight tensor with a zero axis, never NaN.

#include "torch_nn.h"

namespace egmf::model {

struct AttentionOutput {
    Tensor output;   ///< [T_q, d]
    Tensor weights;  ///< [heads, T_q, T_k]
};

class MultiheadAttentionImpl : public torch::nn::Module {
public:
    MultiheadAttentionImpl(std::int64_t dim, std::int64_t heads);
    /// `blocked` [T_q, T_k] (true: query may not see key; undefined: all visible), as
    /// nn.MultiheadAttention's boolean attn_mask; every query must see at least one key.
    AttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& blocked = {});

    Tensor in_proj_weight, in_proj_bias;
    torch::nn::Linear out_proj{nullptr};

private:
    std::int64_t m_dim, m_heads;
};
TORCH_MODULE(MultiheadAttention);

}  // namespace egmf::model
