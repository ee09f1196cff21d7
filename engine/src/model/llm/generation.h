#pragma once
// Decoding from a prompt (MODEL.md 4): the prompt runs once; greedy generation and the scoring of
// every label continue from its KV cache without recomputing it.
//
// Scoring the labels first gives generation its drafts: the scoring pass computes, in one batched
// decoder pass, the logits after every prefix of every label continuation (" joy" + EOS...). A
// greedy generation that follows a label (what a trained model does) reads its next logits from
// those rows instead of running the decoder once per token; where it leaves every label, it runs
// the decoder from there. The tokens are those of plain greedy decoding (the rows see exactly the
// prompt and their own earlier tokens); only a near-tie of logits within float rounding could
// differ. Batched label scoring means fewer launches: generation drops from one
// decoder pass per token to none for a label-shaped answer.

#include <vector>

#include "causal_lm.h"

namespace egmf::model {

struct PromptState {
    KvCache cache;
    Tensor lastLogits;  ///< [vocab] float32, predicting the token after the prompt
};

PromptState runPrompt(CausalLmImpl& llm, const Tensor& embeddings);

/// The scoring pass's result: per continuation the sum of its tokens' log-probabilities after the
/// prompt, and the logits after each of its prefixes (the drafts generation reads).
struct ContinuationScores {
    std::vector<double> scores;
    std::vector<std::vector<std::int32_t>> continuations;
    Tensor rowLogits;                              ///< [rows, vocab]
    std::vector<std::vector<std::int64_t>> rowOf;  ///< rowOf[k][t]: the row after continuation k's tokens 0..t
};

/// For each continuation (token ids, e.g. " joy" + EOS), the sum of its tokens' log-probabilities
/// after the prompt, in one decoder pass for all of them.
ContinuationScores scoreContinuations(CausalLmImpl& llm, const PromptState& prompt,
                                      const std::vector<std::vector<std::int32_t>>& continuations);

/// Greedy decoding of at most `maxNewTokens` tokens; stops at (and drops) `eosId`. With `drafts`
/// (the same prompt's scoring pass), steps along a scored continuation take its logits.
std::vector<std::int64_t> generateGreedy(CausalLmImpl& llm, const PromptState& prompt, int maxNewTokens, std::int64_t eosId,
                                         const ContinuationScores* drafts = nullptr);

}  // namespace egmf::model
