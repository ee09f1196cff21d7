#include "pseudo_tokens.h"

namespace egmf::model {

PseudoTokensImpl::PseudoTokensImpl(const Manifest& m) : m_count(m.pseudoTokens), m_llmDim(m.llm.hiddenSize) {
    const auto& pooling = m.design.pseudoPooling;
    proj = register_module("proj", torch::nn::Linear(m.pooledDim(pooling), m_count * m_llmDim));
    pool = register_module("pool", UtterancePool(m.fusionDim, pooling));
}

Tensor PseudoTokensImpl::forward(const Tensor& enhanced, const ModalitySpans& spans) {
    return proj->forward(pool->forward(enhanced, spans)).view({m_count, m_llmDim});
}

}  // namespace egmf::model
