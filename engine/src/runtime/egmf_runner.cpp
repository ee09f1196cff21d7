#include "egmf_runner.h"

#include <optional>

#include "utterance_features.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <torch/cuda.h>

namespace egmf::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// Stage timings must include the device's work: CUDA kernels run asynchronously.
double millisecondsSince(Clock::time_point start, const at::Device& device) {
    if (device.is_cuda()) {
        torch::cuda::synchronize(device.index());
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// An exception inside one utterance (out of memory, a LibTorch check) fails that utterance only.
std::string failureMessage(const Utterance& u, const std::exception& e) {
    return utteranceError(u, "the model failed on this utterance (" + exceptionText(e) + "); the rest of the dialogue was analysed")
        .message;
}

}  // namespace

EgmfRunner::EgmfRunner(model::EgmfImpl& model, const tokenizer::Tokenizer& tokenizer)
    : m_model(model), m_tokenizer(tokenizer), m_prompts(model.manifest(), tokenizer) {
    if (model.manifest().task == Task::Classification) {
        for (const auto& label : model.manifest().labels) {
            m_answers.push_back(m_prompts.answerIds(label));
        }
    }
}

Result<model::UtteranceInputs> EgmfRunner::inputsFor(const Utterance& u, const AnalyzeOptions& options,
                                                     std::vector<std::int32_t>& textIds) const {
    const auto& m = m_model.manifest();
    const auto floatOptions = m_model.options();
    auto features = [&](const FeatureSequence& f, std::int64_t dim, bool disabled, const char* name) {
        return featureTensor(u, f, dim, disabled, name, floatOptions);
    };
    auto off = [&](Modality modality) { return options.disabledModalities[static_cast<std::size_t>(modality)]; };
    // A modality the model does not read (manifest "modalities") is absent, whatever the utterance holds.
    auto audio = features(u.audio, m.audioFeatureDim, off(Modality::Audio) || !m.modalities.audio, "audio");
    if (!audio) {
        return audio.error();
    }
    auto visual = features(u.visual, m.visualFeatureDim, off(Modality::Visual) || !m.modalities.visual, "visual");
    if (!visual) {
        return visual.error();
    }
    textIds = off(Modality::Text) || !m.modalities.text ? std::vector<std::int32_t>{} : m_tokenizer.encode(u.text);
    if (textIds.empty() && audio->size(0) == 0 && visual->size(0) == 0) {
        return utteranceError(u,
                              "nothing to analyse: no text, audio or visual input is left "
                              "(check the clip and the ablation switches)");
    }
    return model::UtteranceInputs{model::idsTensor(textIds, floatOptions.device()), *audio, *visual};
}

void EgmfRunner::decode(const Dialogue& dialogue, std::size_t index, const AnalyzeOptions& options, UtteranceTrace& trace) {
    const auto& m = m_model.manifest();
    const auto device = m_model.options().device();
    auto start = Clock::now();
    trace.enhanced = m_model.enhance(trace.encoded, trace.context, options.disabledExperts | m.removedExperts);
    trace.timings.enhanceMs = millisecondsSince(start, device);

    start = Clock::now();
    trace.pseudo = m_model.pseudoTokens(trace.enhanced.enhanced, trace.encoded.spans);
    trace.prompt = m_prompts.build(dialogue, index, !options.disabledModalities[static_cast<std::size_t>(Modality::Text)]);
    const auto embeddings = m_model.promptEmbeddings(model::idsTensor(trace.prompt.prefix, device), trace.pseudo,
                                                     model::idsTensor(trace.prompt.suffix, device));
    const auto prompt = model::runPrompt(*m_model.llm, embeddings);
    trace.promptLogits = prompt.lastLogits;
    trace.timings.promptMs = millisecondsSince(start, device);

    // Scoring first: its batched pass also holds the logits a label-shaped generation needs
    // (generation.h), so generating after it costs no decoder pass in the usual case.
    std::optional<model::ContinuationScores> scored;
    if (options.scoreLabels && !m_answers.empty()) {
        start = Clock::now();
        scored = model::scoreContinuations(*m_model.llm, prompt, m_answers);
        trace.labelLogProbs = scored->scores;
        trace.timings.scoreMs = millisecondsSince(start, device);
    }

    start = Clock::now();
    const int maxNew = options.maxNewTokens > 0 ? options.maxNewTokens : m.prompt.maxNewTokens;
    trace.generated = model::generateGreedy(*m_model.llm, prompt, maxNew, m.llm.eosTokenId, scored ? &*scored : nullptr);
    trace.timings.generateMs = millisecondsSince(start, device);
}

Result<std::vector<UtteranceTrace>> EgmfRunner::run(const Dialogue& dialogue, const AnalyzeOptions& options,
                                                    const std::atomic<bool>& cancel,
                                                    const std::function<void(std::size_t, const UtteranceTrace&)>& onUtterance) {
    const auto count = dialogue.utterances.size();
    const auto device = m_model.options().device();
    std::vector<UtteranceTrace> traces(count);
    std::vector<at::Tensor> pooled;
    auto cancelled = [&] { return makeError(ErrorCode::Cancelled, "analysis of dialogue " + dialogue.id + " cancelled"); };

    for (std::size_t i = 0; i < count; ++i) {
        if (cancel.load()) {
            return cancelled();
        }
        auto& trace = traces[i];
        auto inputs = inputsFor(dialogue.utterances[i], options, trace.textIds);
        if (!inputs) {
            trace.error = inputs.error().message;
            pooled.push_back(at::zeros({m_model.pooledDim()}, m_model.options()));
            continue;
        }
        try {
            auto start = Clock::now();
            trace.encoded = m_model.encode(*inputs);
            trace.timings.encodeMs = millisecondsSince(start, device);
            start = Clock::now();
            m_model.fuse(trace.encoded);
            trace.timings.fusionMs = millisecondsSince(start, device);
            pooled.push_back(trace.encoded.pooled);
        } catch (const std::exception& e) {
            trace.error = failureMessage(dialogue.utterances[i], e);
            pooled.push_back(at::zeros({m_model.pooledDim()}, m_model.options()));
        }
    }

    auto start = Clock::now();
    const auto contexts = count == 0 ? at::Tensor() : m_model.dialogueContext(at::stack(pooled, 0));
    const double contextShareMs = count == 0 ? 0.0 : millisecondsSince(start, device) / static_cast<double>(count);

    for (std::size_t i = 0; i < count; ++i) {
        if (cancel.load()) {
            return cancelled();
        }
        auto& trace = traces[i];
        trace.timings.contextMs = contextShareMs;
        if (trace.error.empty()) {
            trace.context = contexts[static_cast<std::int64_t>(i)];
            try {
                decode(dialogue, i, options, trace);
            } catch (const std::exception& e) {
                trace.error = failureMessage(dialogue.utterances[i], e);
            }
        }
        if (onUtterance) {
            onUtterance(i, trace);
        }
        if (options.progress) {
            options.progress(static_cast<int>(i + 1), static_cast<int>(count));
        }
    }
    return traces;
}

}  // namespace egmf::runtime
