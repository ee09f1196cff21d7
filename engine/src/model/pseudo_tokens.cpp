#include "pseudo_tokens.h"

namespace egmf::model {

PseudoTokensImpl::PseudoTokensImpl(std::int64_t dim, std::int64_t count, std::int64_t llmDim) : m_count(count), m_llmDim(llmDim) {
    proj = register_module("proj", torch::nn::Linear(dim, count * llmDim));
}

Tensor PseudoTokensImpl::forward(const Tensor& enhanced) {
    return proj->forward(enhanced.mean(0)).view({m_count, m_llmDim});
}

}  // namespace egmf::model
