#pragma once
// Decoding from a prompt (MODEL.md 4): the prompt runs once; greedy generation and the scoring of
// every label continue from its KV cache without recomputing it.

#include <vector>

#include "llama.h"

namespace egmf::model {

struct PromptState {
    KvCache cache;
    Tensor lastLogits;  ///< [vocab] float32, predicting the token after the prompt
};

PromptState runPrompt(LlamaForCausalLMImpl& llm, const Tensor& embeddings);

/// Greedy decoding of at most `maxNewTokens` tokens; stops at (and drops) `eosId`.
std::vector<std::int64_t> generateGreedy(LlamaForCausalLMImpl& llm, const PromptState& prompt,
                                         int maxNewTokens, std::int64_t eosId);

/// For each continuation (token ids, e.g. " joy" + EOS), the sum of its tokens' log-probabilities
/// after the prompt.
std::vector<double> scoreContinuations(LlamaForCausalLMImpl& llm, const PromptState& prompt,
                                       const std::vector<std::vector<std::int32_t>>& continuations);

}  // namespace egmf::model
