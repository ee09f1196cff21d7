#pragma once
// Hierarchical dynamic gating (MODEL.md 3, eq. 3), per position j of H_f:
//   z_f = W_f h_j + b_f               g_f = softmax(z_f)          (feature-driven)
//   z_c = W_c [h_j ; c] + b_c         g_c = softmax(z_c)          (context-aware, c = dialogue context)
//   g   = normalize(g_f * g_c) = softmax(z_f + z_c)               ("parallel", MODEL.md's)
//   alpha = sigmoid(w_a [h_j ; c] + b_a)
// "sequential" (EnhancerDesign::gates): z_c = W_c [h_j ; c ; g_f] + b_c and g = g_c, the context
// gate deciding after it has seen the feature gate. A disabled expert's logits are -inf, so the
// others renormalise. The optional modality gate sits above: per present modality m,
// z_m = (W_m [mean of m's positions ; c] + b_m)[m], softmax over the present modalities.

#include <bitset>

#include "experts.h"
#include "torch_nn.h"

namespace egmf::model {

struct GateOutput {
    Tensor featureGates;   ///< g_f [T, 3]
    Tensor contextGates;   ///< g_c [T, 3]
    Tensor gates;          ///< g [T, 3]
    Tensor alpha;          ///< [T, 1]
    Tensor modalityGates;  ///< [3] text, audio, visual (0 where absent); undefined without the modality gate
};

class HierarchicalGateImpl : public torch::nn::Module {
public:
    HierarchicalGateImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t experts, bool sequential = false,
                         bool modalityGate = false);
    /// `context` is [contextDim] (contextDim may be 0); at least one expert must be enabled.
    GateOutput forward(const Tensor& fused, const Tensor& context, const std::bitset<3>& disabled, const ModalitySpans& spans);

    torch::nn::Linear feature{nullptr}, context{nullptr}, residual{nullptr};
    torch::nn::Linear modality{nullptr};  ///< the modality gate, when the design has one

private:
    Tensor modalityWeights(const Tensor& fused, const Tensor& contextVector, const ModalitySpans& spans);
    bool m_sequential;
};
TORCH_MODULE(HierarchicalGate);

}  // namespace egmf::model
