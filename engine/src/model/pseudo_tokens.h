#pragma once
// Pseudo tokens (MODEL.md 4): P = reshape(W_p pool(H_enh)) -> M embeddings in the LLM's space,
// placed between <Multimodal> and </Multimodal> in the prompt.

#include "torch_nn.h"

namespace egmf::model {

class PseudoTokensImpl : public torch::nn::Module {
public:
    PseudoTokensImpl(std::int64_t dim, std::int64_t count, std::int64_t llmDim);
    Tensor forward(const Tensor& enhanced);  ///< [T, d] -> [count, llmDim]

    torch::nn::Linear proj{nullptr};

private:
    std::int64_t m_count, m_llmDim;
};
TORCH_MODULE(PseudoTokens);

}  // namespace egmf::model
