#include "generation.h"

#include <optional>

namespace egmf::model {
PromptState runPrompt(CausalLmImpl& llm, const Tensor& embeddings) {
    PromptState state;
    const auto hidden = llm.forward(embeddings, state.cache);
    state.lastLogits = llm.logits(hidden[-1]);
    return state;
}

namespace {

/// The draft row holding the logits after `generated`, when `generated` is a prefix of a scored
/// continuation that goes on after it.
std::optional<std::int64_t> draftRow(const ContinuationScores& drafts, const std::vector<std::int64_t>& generated) {
    const auto step = generated.size() - 1;
    for (std::size_t k = 0; k < drafts.continuations.size(); ++k) {
        const auto& tokens = drafts.continuations[k];
        if (step >= drafts.rowOf[k].size()) continue;  // no row after this many of its tokens
        bool prefix = true;
        for (std::size_t t = 0; t <= step && prefix; ++t) prefix = tokens[t] == generated[t];
        if (prefix) return drafts.rowOf[k][step];
    }
    return std::nullopt;
}

}  // namespace

std::vector<std::int64_t> generateGreedy(CausalLmImpl& llm, const PromptState& prompt, int maxNewTokens, std::int64_t eosId,
                                         const ContinuationScores* drafts) {
    std::vector<std::int64_t> generated;
    std::optional<KvCache> cache;  // made when generation leaves the drafts
    std::size_t inCache = 0;       // generated tokens the cache holds
    auto logits = prompt.lastLogits;
    for (int step = 0; step < maxNewTokens; ++step) {
        const auto next = logits.argmax().item<std::int64_t>();
        if (next == eosId) {
            break;
        }
        generated.push_back(next);
        if (step + 1 == maxNewTokens) {
            break;
        }
        if (!cache && drafts) {
            if (const auto row = draftRow(*drafts, generated)) {
                logits = drafts->rowLogits[*row];
                continue;
            }
        }
        if (!cache) cache = prompt.cache;
        // Everything generated since the cache was last extended (all of it when leaving the drafts).
        const std::vector<std::int64_t> pending(generated.begin() + static_cast<std::ptrdiff_t>(inCache), generated.end());
        inCache = generated.size();
        logits = llm.logits(llm.forward(llm.embed(idsTensor(pending, logits.device())), *cache)[-1]);
    }
    return generated;
}

ContinuationScores scoreContinuations(CausalLmImpl& llm, const PromptState& prompt,
                                      const std::vector<std::vector<std::int32_t>>& continuations) {
    // All continuations go through the decoder in one pass after the prompt: continuation k's
    // inputs (its tokens but the last) sit at positions P, P+1, ... and see the prompt and their
    // own earlier tokens only, so each row computes what a separate run would, with one launch
    // per layer instead of one per label.
    ContinuationScores result;
    result.continuations = continuations;
    result.rowOf.resize(continuations.size());
    const auto firstLogProbs = at::log_softmax(prompt.lastLogits, -1);
    const auto promptLength = prompt.cache.length;
    std::vector<std::int64_t> inputs, positions, targets, branchOf;
    for (std::size_t k = 0; k < continuations.size(); ++k) {
        const auto& tokens = continuations[k];
        for (std::size_t t = 0; t + 1 < tokens.size(); ++t) {
            result.rowOf[k].push_back(static_cast<std::int64_t>(inputs.size()));
            inputs.push_back(tokens[t]);
            positions.push_back(promptLength + static_cast<std::int64_t>(t));
            targets.push_back(tokens[t + 1]);
            branchOf.push_back(static_cast<std::int64_t>(k));
        }
    }
    auto& scores = result.scores;
    scores.assign(continuations.size(), 0.0);
    for (std::size_t k = 0; k < continuations.size(); ++k) {
        if (!continuations[k].empty()) {
            scores[k] = firstLogProbs[continuations[k][0]].item<double>();
        }
    }
    if (inputs.empty()) {
        return result;
    }
    const auto rows = static_cast<std::int64_t>(inputs.size());
    const auto like = prompt.lastLogits;
    const auto branch = idsTensor(branchOf, like.device());
    const auto position = idsTensor(positions, like.device());
    // Row r sees row c when both are in one continuation and c is not later than r.
    const auto ownEarlier = branch.unsqueeze(1).eq(branch.unsqueeze(0)).logical_and(position.unsqueeze(0).le(position.unsqueeze(1)));
    const auto blocked = at::cat({at::zeros({rows, promptLength}, ownEarlier.options()), ownEarlier.logical_not()}, 1);
    const auto hidden = llm.forwardBranches(llm.embed(idsTensor(inputs, like.device())), prompt.cache, position, blocked);
    result.rowLogits = llm.logits(hidden);
    const auto logProbs =
        at::log_softmax(result.rowLogits, -1).gather(1, idsTensor(targets, like.device()).unsqueeze(1)).squeeze(1).to(at::kDouble).cpu();
    const auto* values = logProbs.data_ptr<double>();
    for (std::int64_t r = 0; r < rows; ++r) {
        scores[static_cast<std::size_t>(branchOf[static_cast<std::size_t>(r)])] += values[r];
    }
    return result;
}

}  // namespace egmf::model
