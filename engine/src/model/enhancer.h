#pragma once
// The Adaptive Feature Enhancer (MODEL.md 3): three experts mixed per position by the
// hierarchical gate, with a learned residual:
//   H_enh(j) = alpha(j) h_j + (1 - alpha(j)) sum_k g_k(j) E_k(H_f)(j)
// Disabled experts are not computed; with every expert off H_enh = H_f (gates traced as 0,
// alpha as 1).

#include <bitset>

#include "experts.h"
#include "gating.h"

namespace egmf::model {

struct EnhancerOutput {
    Tensor enhanced;  ///< H_enh [T, d]
    GateOutput gates;
};

class AdaptiveFeatureEnhancerImpl : public torch::nn::Module {
public:
    AdaptiveFeatureEnhancerImpl(std::int64_t dim, std::int64_t contextDim, const std::vector<double>& ratios, std::int64_t localKernel);
    EnhancerOutput forward(const Tensor& fused, const ModalitySpans& spans, const Tensor& context, const std::bitset<3>& disabled);

    LocalExpert local{nullptr};
    SemanticExpert semantic{nullptr};
    GlobalExpert global{nullptr};
    HierarchicalGate gate{nullptr};
};
TORCH_MODULE(AdaptiveFeatureEnhancer);

}  // namespace egmf::model
