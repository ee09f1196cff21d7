#include "generation.h"

namespace egmf::model {
PromptState runPrompt(LlamaForCausalLMImpl& llm, const Tensor& embeddings) {
    PromptState state;
    const auto hidden = llm.forward(embeddings, state.cache);
    state.lastLogits = llm.logits(hidden[-1]);
    return state;
}

std::vector<std::int64_t> generateGreedy(LlamaForCausalLMImpl& llm, const PromptState& prompt,
                                         int maxNewTokens, std::int64_t eosId) {
    std::vector<std::int64_t> generated;
    KvCache cache = prompt.cache;
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
        const auto embedding = llm.embed(idsTensor(std::vector<std::int64_t>{next}, logits.device()));
        logits = llm.logits(llm.forward(embedding, cache)[-1]);
    }
    return generated;
}

std::vector<double> scoreContinuations(LlamaForCausalLMImpl& llm, const PromptState& prompt,
                                       const std::vector<std::vector<std::int32_t>>& continuations) {
    // All continuations go through the decoder in one pass after the prompt: continuation k's
    // inputs (its tokens but the last) sit at positions P, P+1, ... and see the prompt and their
    // own earlier tokens only, so each row computes what a separate run would, with one launch
    // per layer instead of one per label.
    const auto firstLogProbs = at::log_softmax(prompt.lastLogits, -1);
    const auto promptLength = prompt.cache.length;
    std::vector<std::int64_t> inputs, positions, targets, branchOf;
    for (std::size_t k = 0; k < continuations.size(); ++k) {
        const auto& tokens = continuations[k];
        for (std::size_t t = 0; t + 1 < tokens.size(); ++t) {
            inputs.push_back(tokens[t]);
            positions.push_back(promptLength + static_cast<std::int64_t>(t));
            targets.push_back(tokens[t + 1]);
            branchOf.push_back(static_cast<std::int64_t>(k));
        }
    }
    std::vector<double> scores(continuations.size(), 0.0);
    for (std::size_t k = 0; k < continuations.size(); ++k) {
        if (!continuations[k].empty()) {
            scores[k] = firstLogProbs[continuations[k][0]].item<double>();
        }
    }
    if (inputs.empty()) {
        return scores;
    }
    const auto rows = static_cast<std::int64_t>(inputs.size());
    const auto like = prompt.lastLogits;
    const auto branch = idsTensor(branchOf, like.device());
    const auto position = idsTensor(positions, like.device());
    // Row r sees row c when both are in one continuation and c is not later than r.
    const auto ownEarlier = branch.unsqueeze(1).eq(branch.unsqueeze(0)).logical_and(
        position.unsqueeze(0).le(position.unsqueeze(1)));
    const auto blocked = at::cat({at::zeros({rows, promptLength}, ownEarlier.options()),
                                  ownEarlier.logical_not()}, 1);
    const auto hidden = llm.forwardBranches(llm.embed(idsTensor(inputs, like.device())), prompt.cache, position, blocked);
    const auto logProbs = at::log_softmax(llm.logits(hidden), -1)
                              .gather(1, idsTensor(targets, like.device()).unsqueeze(1))
                              .squeeze(1)
                              .to(at::kDouble)
                              .cpu();
    const auto* values = logProbs.data_ptr<double>();
    for (std::int64_t r = 0; r < rows; ++r) {
        scores[static_cast<std::size_t>(branchOf[static_cast<std::size_t>(r)])] += values[r];
    }
    return scores;
}

}  // namespace egmf::model
