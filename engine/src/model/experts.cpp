#include "experts.h"

#include <cmath>

namespace egmf::model {

BottleneckExpertImpl::BottleneckExpertImpl(std::int64_t dim, double ratio, Activation activation) : m_activation(activation) {
    const auto hidden = std::max<std::int64_t>(1, std::llround(static_cast<double>(dim) * ratio));
    fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

Tensor BottleneckExpertImpl::bottleneck(const Tensor& mixed) {
    auto h = fc1->forward(mixed);
    switch (m_activation) {
        case Activation::Mish:
            // LibTorch 1.13 has no CPU mish kernel for bf16/f16: compute those in float32.
            h = h.is_floating_point() && h.element_size() < 4 ? at::mish(h.to(at::kFloat)).to(h.scalar_type()) : at::mish(h);
            break;
        case Activation::Gelu:
            h = at::gelu(h);
            break;
        case Activation::Silu:
            h = at::silu(h);
            break;
    }
    return fc2->forward(h);
}

LocalExpertImpl::LocalExpertImpl(std::int64_t dim, double ratio, std::int64_t kernel, const std::string& mode)
    : BottleneckExpertImpl(dim, ratio, Activation::Mish), m_kernel(kernel) {
    if (mode == "window_attention") {
        attn = register_module("attn", MultiheadAttention(dim, 1));
    } else {
        mix = register_module("mix", torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, dim, kernel).padding(kernel / 2).groups(dim)));
    }
}

Tensor LocalExpertImpl::forward(const Tensor& fused, const ModalitySpans& spans) {
    if (attn) {
        // Position j sees i when both lie in one modality's span and |i - j| <= kernel / 2.
        const auto count = fused.size(0);
        auto span = at::empty({count}, fused.options().dtype(at::kLong));
        std::int64_t start = 0;
        for (std::size_t m = 0; m < spans.size(); ++m) {
            span.slice(0, start, start + spans[m]).fill_(static_cast<std::int64_t>(m));
            start += spans[m];
        }
        const auto index = at::arange(count, span.options());
        const auto far = (index.unsqueeze(0) - index.unsqueeze(1)).abs().gt(m_kernel / 2);
        const auto blocked = far.logical_or(span.unsqueeze(0).ne(span.unsqueeze(1)));
        return bottleneck(attn->forward(fused, fused, fused, blocked).output);
    }
    // The convolution must not blur across the boundary between two modalities: run it on each
    // span separately (zero padding at every span's edges).
    std::vector<Tensor> parts;
    std::int64_t start = 0;
    for (auto length : spans) {
        if (length > 0) {
            const auto span = fused.slice(0, start, start + length).t().unsqueeze(0);
            parts.push_back(mix->forward(span).squeeze(0).t());
        }
        start += length;
    }
    return bottleneck(at::cat(parts, 0));
}

SemanticExpertImpl::SemanticExpertImpl(std::int64_t dim, double ratio) : BottleneckExpertImpl(dim, ratio, Activation::Gelu) {
    attn = register_module("attn", MultiheadAttention(dim, 1));
}

Tensor SemanticExpertImpl::forward(const Tensor& fused) {
    return bottleneck(attn->forward(fused, fused, fused).output);
}

GlobalExpertImpl::GlobalExpertImpl(std::int64_t dim, double ratio, const std::string& mode, std::int64_t heads, std::int64_t pooledDim)
    : BottleneckExpertImpl(dim, ratio, Activation::Silu), m_mode(mode) {
    if (mode == "attention") attn = register_module("attn", MultiheadAttention(dim, heads));
    if (mode == "dialogue_gru") gru = register_module("gru", ContextGru(pooledDim, dim / 2, true));
}

Tensor GlobalExpertImpl::forward(const Tensor& fused, const Tensor& dialogueState) {
    if (attn) return bottleneck(attn->forward(fused, fused, fused).output);
    if (gru) return bottleneck(fused + dialogueState.unsqueeze(0));
    return bottleneck(fused + fused.mean(0, true));
}

Tensor GlobalExpertImpl::dialogueStates(const Tensor& pooled) {
    return gru->forward(pooled);
}

}  // namespace egmf::model
