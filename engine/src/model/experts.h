#pragma once
// The three experts of the Adaptive Feature Enhancer (MODEL.md 3). Each is a mixing operator
// followed by a bottleneck MLP d -> round(d*r) -> d; the operators are the manifest's
// (EnhancerDesign), MODEL.md's first:
//   local    depthwise conv within each modality's span           | attention within a window of it   Mish
//   semantic single-head self-attention over all positions                                          GELU
//   global   h + mean(H_f)  | multi-head self-attention over H_f | h + a dialogue GRU's state          SiLU

#include <array>

#include "context_gru.h"
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
    /// `mode` conv or window_attention (positions within kernel / 2 of each other in one span).
    LocalExpertImpl(std::int64_t dim, double ratio, std::int64_t kernel, const std::string& mode = "conv");
    Tensor forward(const Tensor& fused, const ModalitySpans& spans);
    torch::nn::Conv1d mix{nullptr};    ///< conv
    MultiheadAttention attn{nullptr};  ///< window_attention

private:
    std::int64_t m_kernel;
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
    /// `mode` mean, attention (`heads`) or dialogue_gru (over pooled utterances of `pooledDim`).
    GlobalExpertImpl(std::int64_t dim, double ratio, const std::string& mode = "mean", std::int64_t heads = 1, std::int64_t pooledDim = 0);
    /// `dialogueState` [d]: this utterance's state of dialogueStates() (dialogue_gru only).
    Tensor forward(const Tensor& fused, const Tensor& dialogueState = {});
    /// dialogue_gru: [utterances, pooledDim] pooled utterances -> [utterances, d] states.
    Tensor dialogueStates(const Tensor& pooled);
    bool readsDialogue() const { return static_cast<bool>(gru); }

    MultiheadAttention attn{nullptr};  ///< attention
    ContextGru gru{nullptr};           ///< dialogue_gru: bidirectional, d / 2 each way

private:
    std::string m_mode;
};
TORCH_MODULE(GlobalExpert);

}  // namespace egmf::model
