#include "enhancer.h"

namespace egmf::model {

AdaptiveFeatureEnhancerImpl::AdaptiveFeatureEnhancerImpl(const Manifest& m) : m_contextDim(m.contextDim()) {
    const auto d = m.fusionDim;
    const auto& design = m.design;
    local = register_module("local", LocalExpert(d, m.expertRatios.at(0), m.localKernel, design.local));
    semantic = register_module("semantic", SemanticExpert(d, m.expertRatios.at(1)));
    global =
        register_module("global", GlobalExpert(d, m.expertRatios.at(2), design.global, m.fusionHeads, m.pooledDim(design.contextPooling)));
    gate = register_module("gate", HierarchicalGate(d, m_contextDim, 3, design.gates == "sequential", design.modalityGate));
}

EnhancerOutput AdaptiveFeatureEnhancerImpl::forward(const Tensor& fused, const ModalitySpans& spans, const Tensor& dialogue,
                                                    const std::bitset<3>& disabled) {
    const auto positions = fused.size(0);
    if (disabled.all()) {
        const auto zeros = at::zeros({positions, 3}, fused.options());
        GateOutput off{zeros, zeros, zeros, at::ones({positions, 1}, fused.options()), {}};
        if (gate->modality) off.modalityGates = at::zeros({3}, fused.options());
        return {fused, std::move(off)};
    }
    const auto context = dialogue.narrow(0, 0, m_contextDim);
    auto gates = gate->forward(fused, context, disabled, spans);
    auto mixture = at::zeros_like(fused);
    auto addExpert = [&](int k, const Tensor& output) { mixture = mixture + gates.gates.select(1, k).unsqueeze(1) * output; };
    if (!disabled[0]) {
        addExpert(0, local->forward(fused, spans));
    }
    if (!disabled[1]) {
        addExpert(1, semantic->forward(fused));
    }
    if (!disabled[2]) {
        addExpert(2, global->forward(
                         fused, global->readsDialogue() ? dialogue.narrow(0, m_contextDim, dialogue.size(0) - m_contextDim) : Tensor()));
    }
    if (gates.modalityGates.defined()) {
        // Each position's mixture scaled by its modality's weight, times the modalities present (1 when even).
        std::vector<Tensor> scales;
        double present = 0;
        for (std::size_t m = 0; m < spans.size(); ++m) {
            if (spans[m] > 0) {
                present += 1;
                scales.push_back(gates.modalityGates[static_cast<std::int64_t>(m)].expand({spans[m]}));
            }
        }
        mixture = mixture * (at::cat(scales, 0) * present).unsqueeze(1);
    }
    auto enhanced = gates.alpha * fused + (1 - gates.alpha) * mixture;
    return {std::move(enhanced), std::move(gates)};
}

}  // namespace egmf::model
