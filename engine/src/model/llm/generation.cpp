#include "generation.h"

namespace egmf::model {
namespace {

Tensor idsTensor(const std::vector<std::int64_t>& ids, const Tensor& like) {
    return at::tensor(ids, at::TensorOptions().dtype(at::kLong)).to(like.device());
}

}  // namespace

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
        const auto embedding = llm.embed(idsTensor({next}, logits));
        logits = llm.logits(llm.forward(embedding, cache)[-1]);
    }
    return generated;
}

std::vector<double> scoreContinuations(LlamaForCausalLMImpl& llm, const PromptState& prompt,
                                       const std::vector<std::vector<std::int32_t>>& continuations) {
    std::vector<double> scores;
    const auto firstLogProbs = at::log_softmax(prompt.lastLogits, -1);
    for (const auto& tokens : continuations) {
        if (tokens.empty()) {
            scores.push_back(0.0);
            continue;
        }
        double total = firstLogProbs[tokens[0]].item<double>();
        if (tokens.size() > 1) {
            KvCache cache = prompt.cache;
            std::vector<std::int64_t> inputs(tokens.begin(), tokens.end() - 1);
            const auto hidden = llm.forward(llm.embed(idsTensor(inputs, prompt.lastLogits)), cache);
            const auto logProbs = at::log_softmax(llm.logits(hidden), -1);
            std::vector<std::int64_t> targets(tokens.begin() + 1, tokens.end());
            total += logProbs.gather(1, idsTensor(targets, logProbs).unsqueeze(1)).sum().item<double>();
        }
        scores.push_back(total);
    }
    return scores;
}

}  // namespace egmf::model
