#pragma once
// The dialogue context by attention (EnhancerDesign::context "attention"): each utterance's pooled
// vector attends (one head) to the dialogue's, every utterance when the context is bidirectional,
// the earlier ones and itself when it is causal, and a projection gives c_i the context width.

#include "multihead_attention.h"
#include "torch_nn.h"

namespace egmf::model {

class ContextAttentionImpl : public torch::nn::Module {
public:
    ContextAttentionImpl(std::int64_t pooledDim, std::int64_t contextDim, bool bidirectional);
    /// [utterances, pooledDim] -> [utterances, contextDim]
    Tensor forward(const Tensor& pooled);

    MultiheadAttention attn{nullptr};
    torch::nn::Linear proj{nullptr};

private:
    bool m_bidirectional;
};
TORCH_MODULE(ContextAttention);

}  // namespace egmf::model
