#include "multihead_attention.h"

#include <cmath>
#include <limits>

namespace egmf::model {

MultiheadAttentionImpl::MultiheadAttentionImpl(std::int64_t dim, std::int64_t heads) : m_dim(dim), m_heads(heads) {
    in_proj_weight = register_parameter("in_proj_weight", at::empty({3 * dim, dim}));
    in_proj_bias = register_parameter("in_proj_bias", at::zeros({3 * dim}));
    out_proj = register_module("out_proj", torch::nn::Linear(dim, dim));
    // nn.MultiheadAttention's initialisation: xavier-uniform in_proj, zero biases.
    const double bound = std::sqrt(6.0 / static_cast<double>(dim + 3 * dim));
    at::NoGradGuard noGrad;
    in_proj_weight.uniform_(-bound, bound);
    out_proj->bias.zero_();
}

AttentionOutput MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& blocked) {
    const auto queries = query.size(0);
    const auto keys = key.size(0);
    const auto headDim = m_dim / m_heads;
    if (keys == 0) {
        return {at::zeros({queries, m_dim}, query.options()), at::zeros({m_heads, queries, 0}, query.options())};
    }
    const auto w = in_proj_weight.chunk(3, 0);
    const auto b = in_proj_bias.chunk(3, 0);
    // [T, d] -> [heads, T, headDim]
    auto split = [&](const Tensor& x, int i) { return at::linear(x, w[i], b[i]).view({x.size(0), m_heads, headDim}).transpose(0, 1); };
    const auto q = split(query, 0) * (1.0 / std::sqrt(static_cast<double>(headDim)));
    const auto k = split(key, 1);
    const auto v = split(value, 2);
    auto scores = at::matmul(q, k.transpose(1, 2));
    if (blocked.defined()) scores = scores.masked_fill(blocked, -std::numeric_limits<double>::infinity());
    const auto weights = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
    const auto mixed = at::matmul(weights, v).transpose(0, 1).reshape({queries, m_dim});
    return {out_proj->forward(mixed), weights};
}

}  // namespace egmf::model
