#pragma once
// The three experts of the Adaptive Feature Enhancer (MODEL.md 3). Each is a mixing operator
// followed by a bottleneck MLP d -> round(d*r) -> d:
//   local    depthwise conv over positions within each modality's span, Mish
//   semantic single-head self-attention over all positions,             GELU
//   global   adds the pooled vector of H_f,                              SiLU

#include <array>

#include "multihead_attention.h"
#include "torch_nn.h"

namespace egmf::model {

/// Where each modality's positions lie in H_f: [text, audio, visual] lengths, in that order.
using ModalitySpans = std::array<std::int64_t, 3>;

enum class Activation { Mish, Gelu, Silu };

class BottleneckExpertImpl : public torch::nn::Module {
public:
    BottleneckExpertImpl(std::int64_t dim, double ratio, Activation activation);
    Tensor bottleneck(const Tensor& mixed);  ///< fc2(act(fc1(x)))

    torch::nn::Linear fc1{nullptr}, fc2{nullptr};

private:
    Activation m_activation;
};

class LocalExpertImpl : public BottleneckExpertImpl {
public:
    LocalExpertImpl(std::int64_t dim, double ratio, std::int64_t kernel);
    Tensor forward(const Tensor& fused, const ModalitySpans& spans);
    torch::nn::Conv1d mix{nullptr};
};
TORCH_MODULE(LocalExpert);

class SemanticExpertImpl : public BottleneckExpertImpl {
public:
    SemanticExpertImpl(std::int64_t dim, double ratio);
    Tensor forward(const Tensor& fused);
    MultiheadAttention attn{nullptr};
};
TORCH_MODULE(SemanticExpert);

class GlobalExpertImpl : public BottleneckExpertImpl {
public:
    GlobalExpertImpl(std::int64_t dim, double ratio);
    Tensor forward(const Tensor& fused);
};
TORCH_MODULE(GlobalExpert);

}  // namespace egmf::model
