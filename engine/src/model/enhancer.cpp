#include "enhancer.h"

namespace egmf::model {

AdaptiveFeatureEnhancerImpl::AdaptiveFeatureEnhancerImpl(std::int64_t dim, std::int64_t contextDim, const std::vector<double>& ratios,
                                                         std::int64_t localKernel) {
    local = register_module("local", LocalExpert(dim, ratios.at(0), localKernel));
    semantic = register_module("semantic", SemanticExpert(dim, ratios.at(1)));
    global = register_module("global", GlobalExpert(dim, ratios.at(2)));
    gate = register_module("gate", HierarchicalGate(dim, contextDim, 3));
}

EnhancerOutput AdaptiveFeatureEnhancerImpl::forward(const Tensor& fused, const ModalitySpans& spans, const Tensor& context,
                                                    const std::bitset<3>& disabled) {
    const auto positions = fused.size(0);
    if (disabled.all()) {
        const auto zeros = at::zeros({positions, 3}, fused.options());
        return {fused, {zeros, zeros, zeros, at::ones({positions, 1}, fused.options())}};
    }
    auto gates = gate->forward(fused, context, disabled);
    auto mixture = at::zeros_like(fused);
    auto addExpert = [&](int k, const Tensor& output) { mixture = mixture + gates.gates.select(1, k).unsqueeze(1) * output; };
    if (!disabled[0]) {
        addExpert(0, local->forward(fused, spans));
    }
    if (!disabled[1]) {
        addExpert(1, semantic->forward(fused));
    }
    if (!disabled[2]) {
        addExpert(2, global->forward(fused));
    }
    auto enhanced = gates.alpha * fused + (1 - gates.alpha) * mixture;
    return {std::move(enhanced), std::move(gates)};
}

}  // namespace egmf::model
