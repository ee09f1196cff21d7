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

LocalExpertImpl::LocalExpertImpl(std::int64_t dim, double ratio, std::int64_t kernel) : BottleneckExpertImpl(dim, ratio, Activation::Mish) {
    mix = register_module("mix", torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, dim, kernel).padding(kernel / 2).groups(dim)));
}

Tensor LocalExpertImpl::forward(const Tensor& fused, const ModalitySpans& spans) {
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

GlobalExpertImpl::GlobalExpertImpl(std::int64_t dim, double ratio) : BottleneckExpertImpl(dim, ratio, Activation::Silu) {}

Tensor GlobalExpertImpl::forward(const Tensor& fused) {
    return bottleneck(fused + fused.mean(0, true));
}

}  // namespace egmf::model
