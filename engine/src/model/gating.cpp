#include "gating.h"

#include <limits>

namespace egmf::model {

HierarchicalGateImpl::HierarchicalGateImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t experts) {
    feature = register_module("feature", torch::nn::Linear(dim, experts));
    context = register_module("context", torch::nn::Linear(dim + contextDim, experts));
    residual = register_module("residual", torch::nn::Linear(dim + contextDim, 1));
}

GateOutput HierarchicalGateImpl::forward(const Tensor& fused, const Tensor& contextVector, const std::bitset<3>& disabled) {
    const auto withContext = at::cat({fused, contextVector.unsqueeze(0).expand({fused.size(0), contextVector.size(0)})}, 1);
    auto featureLogits = feature->forward(fused);
    auto contextLogits = context->forward(withContext);
    if (disabled.any()) {
        auto mask = at::zeros({featureLogits.size(1)}, featureLogits.options().dtype(at::kBool));
        for (std::size_t k = 0; k < disabled.size(); ++k) {
            if (disabled[k]) {
                mask[static_cast<std::int64_t>(k)] = true;
            }
        }
        const auto minusInf = -std::numeric_limits<double>::infinity();
        featureLogits = featureLogits.masked_fill(mask, minusInf);
        contextLogits = contextLogits.masked_fill(mask, minusInf);
    }
    return {at::softmax(featureLogits, -1), at::softmax(contextLogits, -1), at::softmax(featureLogits + contextLogits, -1),
            at::sigmoid(residual->forward(withContext))};
}

}  // namespace egmf::model
