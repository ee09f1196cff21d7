#include "dialogue_loss.h"

#include <random>

namespace egmf::train {

std::optional<std::string> goldAnswer(const Manifest& manifest, const Utterance& u) {
    if (manifest.task == Task::Classification) return u.goldLabel;
    if (!u.goldScore) return std::nullopt;
    return tokenizer::formatScore(std::clamp(*u.goldScore, manifest.scoreMin, manifest.scoreMax), manifest.prompt.scoreDecimals);
}

DialogueLoss dialogueLoss(model::EgmfImpl& model, const runtime::EgmfRunner& runner, const Dialogue& dialogue, const TrainConfig& config,
                          const DropoutDraw* dropout) {
    const auto& manifest = model.manifest();
    const auto count = dialogue.utterances.size();
    std::vector<model::EncodedUtterance> encoded(count);
    std::vector<AnalyzeOptions> ablations(count);
    std::vector<bool> usable(count, false);
    std::vector<at::Tensor> pooled;
    for (std::size_t i = 0; i < count; ++i) {
        auto& off = ablations[i].disabledModalities;
        if (dropout) {
            std::mt19937_64 rng(dropout->seed * 1000003 + static_cast<std::uint64_t>(dropout->epoch) * 7919 +
                                static_cast<std::uint64_t>(dropout->dialogue) * 131 + i);
            std::uniform_real_distribution<double> draw(0.0, 1.0);
            off.set(static_cast<std::size_t>(Modality::Text), draw(rng) < config.textDropout);
            off.set(static_cast<std::size_t>(Modality::Audio), draw(rng) < config.audioDropout);
            off.set(static_cast<std::size_t>(Modality::Visual), draw(rng) < config.visualDropout);
            // Something must be left: the first modality the model reads.
            const auto& read = manifest.modalities;
            const bool left = (read.text && !off[0]) || (read.audio && !off[1]) || (read.visual && !off[2]);
            if (!left) off.reset(read.text ? 0 : read.audio ? 1 : 2);
        }
        std::vector<std::int32_t> ids;
        auto inputs = runner.inputsFor(dialogue.utterances[i], ablations[i], ids);
        if (!inputs) {
            pooled.push_back(at::zeros({model.pooledDim()}, model.options()));
            continue;
        }
        encoded[i] = model.encode(*inputs);
        model.fuse(encoded[i]);
        pooled.push_back(encoded[i].pooled);
        usable[i] = true;
    }
    DialogueLoss loss{at::zeros({}, model.options()), 0};
    if (count == 0) return loss;
    const auto contexts = model.dialogueContext(at::stack(pooled, 0));
    const auto device = model.options().device();
    for (std::size_t i = 0; i < count; ++i) {
        const auto answer = goldAnswer(manifest, dialogue.utterances[i]);
        if (!usable[i] || !answer) continue;
        const auto enhanced = model.enhance(encoded[i], contexts[static_cast<std::int64_t>(i)], manifest.removedExperts);
        const auto pseudo = model.pseudoTokens(enhanced.enhanced, encoded[i].spans);
        const bool withText = !ablations[i].disabledModalities[static_cast<std::size_t>(Modality::Text)];
        const auto prompt = runner.prompts().build(dialogue, i, withText);
        const auto answerIds = runner.prompts().answerIds(*answer);
        const auto promptEmbeddings =
            model.promptEmbeddings(model::idsTensor(prompt.prefix, device), pseudo, model::idsTensor(prompt.suffix, device));
        // Teacher forcing: the answer's tokens but the last follow the prompt; each position
        // predicts the next answer token.
        const auto answerTensor = model::idsTensor(answerIds, device);
        const auto inputs = at::cat({promptEmbeddings, model.llm->embed(answerTensor.narrow(0, 0, answerTensor.size(0) - 1))}, 0);
        model::KvCache cache;
        const auto hidden = model.llm->forward(inputs, cache);
        const auto promptLength = promptEmbeddings.size(0);
        const auto logits = model.llm->logits(hidden.narrow(0, promptLength - 1, answerTensor.size(0)));
        const auto weight = config.classWeights.find(*answer);
        loss.sum = loss.sum + at::cross_entropy_loss(logits, answerTensor) * (weight == config.classWeights.end() ? 1.0 : weight->second);
        ++loss.utterances;
    }
    return loss;
}

}  // namespace egmf::train
