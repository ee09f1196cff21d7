#pragma once
// Hierarchical dynamic gating (MODEL.md 3, eq. 3), per position j of H_f:
//   z_f = W_f h_j + b_f               g_f = softmax(z_f)          (feature-driven)
//   z_c = W_c [h_j ; c] + b_c         g_c = softmax(z_c)          (context-aware, c = dialogue context)
//   g   = normalize(g_f * g_c) = softmax(z_f + z_c)
//   alpha = sigmoid(w_a [h_j ; c] + b_a)
// A disabled expert's logits are -inf, so the others renormalise.

#include <bitset>

#include "torch_nn.h"

namespace egmf::model {

struct GateOutput {
    Tensor featureGates;  ///< g_f [T, 3]
    Tensor contextGates;  ///< g_c [T, 3]
    Tensor gates;         ///< g [T, 3]
    Tensor alpha;         ///< [T, 1]
};

class HierarchicalGateImpl : public torch::nn::Module {
public:
    HierarchicalGateImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t experts);
    /// `context` is [contextDim]; at least one expert must be enabled.
    GateOutput forward(const Tensor& fused, const Tensor& context, const std::bitset<3>& disabled);

    torch::nn::Linear feature{nullptr}, context{nullptr}, residual{nullptr};
};
TORCH_MODULE(HierarchicalGate);

}  // namespace egmf::model
