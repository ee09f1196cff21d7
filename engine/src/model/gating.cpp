#include "gating.h"

#include <limits>

namespace egmf::model {
namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

}  // namespace

HierarchicalGateImpl::HierarchicalGateImpl(std::int64_t dim, std::int64_t contextDim, std::int64_t experts, bool sequential,
                                           bool modalityGate)
    : m_sequential(sequential) {
    feature = register_module("feature", torch::nn::Linear(dim, experts));
    context = register_module("context", torch::nn::Linear(dim + contextDim + (sequential ? experts : 0), experts));
    residual = register_module("residual", torch::nn::Linear(dim + contextDim, 1));
    if (modalityGate) modality = register_module("modality", torch::nn::Linear(dim + contextDim, 3));
}

Tensor HierarchicalGateImpl::modalityWeights(const Tensor& fused, const Tensor& contextVector, const ModalitySpans& spans) {
    std::vector<Tensor> logits;
    std::int64_t start = 0;
    for (std::size_t m = 0; m < spans.size(); ++m) {
        if (spans[m] > 0) {
            const auto mean = fused.slice(0, start, start + spans[m]).mean(0);
            logits.push_back(modality->forward(at::cat({mean, contextVector}, 0))[static_cast<std::int64_t>(m)]);
        } else {
            logits.push_back(at::full({}, kMinusInfinity, fused.options()));
        }
        start += spans[m];
    }
    return at::softmax(at::stack(logits, 0), 0);
}

GateOutput HierarchicalGateImpl::forward(const Tensor& fused, const Tensor& contextVector, const std::bitset<3>& disabled,
                                         const ModalitySpans& spans) {
    const auto withContext = at::cat({fused, contextVector.unsqueeze(0).expand({fused.size(0), contextVector.size(0)})}, 1);
    Tensor mask;
    if (disabled.any()) {
        mask = at::zeros({feature->weight.size(0)}, fused.options().dtype(at::kBool));
        for (std::size_t k = 0; k < disabled.size(); ++k) {
            if (disabled[k]) mask[static_cast<std::int64_t>(k)] = true;
        }
    }
    const auto masked = [&](const Tensor& logits) { return mask.defined() ? logits.masked_fill(mask, kMinusInfinity) : logits; };
    const auto featureLogits = masked(feature->forward(fused));
    const auto featureGates = at::softmax(featureLogits, -1);
    GateOutput out;
    out.featureGates = featureGates;
    if (m_sequential) {
        out.contextGates = at::softmax(masked(context->forward(at::cat({withContext, featureGates}, 1))), -1);
        out.gates = out.contextGates;
    } else {
        const auto contextLogits = masked(context->forward(withContext));
        out.contextGates = at::softmax(contextLogits, -1);
        out.gates = at::softmax(featureLogits + contextLogits, -1);
    }
    out.alpha = at::sigmoid(residual->forward(withContext));
    if (modality) out.modalityGates = modalityWeights(fused, contextVector, spans);
    return out;
}

}  // namespace egmf::model
