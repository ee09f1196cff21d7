#pragma once
// Pseudo tokens (MODEL.md 4): P = reshape(W_p pool(H_enh)) -> M embeddings in the LLM's space,
// placed between <Multimodal> and </Multimodal> in the prompt; pool is the design's
// (pooling.h; MODEL.md's mean by default).

#include "egmf/manifest.h"
#include "pooling.h"

namespace egmf::model {

class PseudoTokensImpl : public torch::nn::Module {
public:
    explicit PseudoTokensImpl(const Manifest& manifest);
    Tensor forward(const Tensor& enhanced, const ModalitySpans& spans);  ///< [T, d] -> [count, llmDim]

    torch::nn::Linear proj{nullptr};
    UtterancePool pool{nullptr};

private:
    std::int64_t m_count, m_llmDim;
};
TORCH_MODULE(PseudoTokens);

}  // namespace egmf::model
