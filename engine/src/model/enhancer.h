#pragma once
// The Adaptive Feature Enhancer (MODEL.md 3): three experts mixed per position by the
// hierarchical gate, with a learned residual:
//   H_enh(j) = alpha(j) h_j + (1 - alpha(j)) s(j) sum_k g_k(j) E_k(H_f)(j)
// s(j) = 1, or with the design's modality gate (present modalities) x g_mod[modality of j].
// The experts' operators and the gates' combination follow the manifest's EnhancerDesign.
// Disabled experts are not computed; with every expert off H_enh = H_f (gates traced as 0,
// alpha as 1).

#include <bitset>

#include "egmf/manifest.h"
#include "experts.h"
#include "gating.h"

namespace egmf::model {

struct EnhancerOutput {
    Tensor enhanced;  ///< H_enh [T, d]
    GateOutput gates;
};

class AdaptiveFeatureEnhancerImpl : public torch::nn::Module {
public:
    explicit AdaptiveFeatureEnhancerImpl(const Manifest& manifest);
    /// `dialogue` is utterance i's row of EgmfImpl::dialogueContext: c_i, then (global
    /// dialogue_gru) the global expert's state.
    EnhancerOutput forward(const Tensor& fused, const ModalitySpans& spans, const Tensor& dialogue, const std::bitset<3>& disabled);

    LocalExpert local{nullptr};
    SemanticExpert semantic{nullptr};
    GlobalExpert global{nullptr};
    HierarchicalGate gate{nullptr};

private:
    std::int64_t m_contextDim;
};
TORCH_MODULE(AdaptiveFeatureEnhancer);

}  // namespace egmf::model
