#include "merits_analyzer.h"

#include <chrono>

#include <c10/core/InferenceMode.h>

#include "egmf_runner.h"
#include "native_analyzer.h"
#include "trace_values.h"
#include "utterance_features.h"

namespace egmf::runtime {

MeritsAnalyzer::MeritsAnalyzer(model::Merits model, std::unique_ptr<tokenizer::Tokenizer> tokenizer)
    : m_model(std::move(model)), m_tokenizer(std::move(tokenizer)) {
    m_model->eval();
}

std::string MeritsAnalyzer::device() const {
    return m_model->options().device().str();
}

Result<std::vector<model::MeritsInputs>> meritsInputs(const model::MeritsImpl& model, const tokenizer::Tokenizer& tokenizer,
                                                      const Dialogue& dialogue, const AnalyzeOptions& options,
                                                      std::vector<std::vector<std::int32_t>>& textIds) {
    const auto off = [&](Modality m) { return options.disabledModalities[static_cast<std::size_t>(m)]; };
    std::vector<model::MeritsInputs> out;
    textIds.clear();
    for (const auto& u : dialogue.utterances) {
        auto audio = featureTensor(u, u.audio, model.manifest().audioFeatureDim, off(Modality::Audio), "audio", model.options());
        if (!audio) return audio.error();
        textIds.push_back(off(Modality::Text) ? std::vector<std::int32_t>{} : tokenizer.encode(u.text));
        out.push_back({model::idsTensor(textIds.back(), model.options().device()), *audio});
    }
    return out;
}

Result<DialogueResult> MeritsAnalyzer::analyzeDialogue(const Dialogue& dialogue, const AnalyzeOptions& options,
                                                       const std::atomic<bool>& cancel) {
    DialogueResult result;
    result.dialogueId = dialogue.id;
    if (dialogue.utterances.empty() || cancel.load()) return result;
    try {
        c10::InferenceMode inference;
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::vector<std::int32_t>> ids;
        auto prepared = meritsInputs(*m_model, *m_tokenizer, dialogue, options, ids);
        if (!prepared) return prepared.error();
        const auto out = m_model->forward(*prepared);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const auto logProbs = at::log_softmax(out.fusedLogits.to(at::kFloat), -1).to(at::kCPU).contiguous();
        const auto& labels = m_model->manifest().labels;
        const auto count = static_cast<std::int64_t>(dialogue.utterances.size());
        for (std::int64_t i = 0; i < count; ++i) {
            const auto& u = dialogue.utterances[static_cast<std::size_t>(i)];
            UtteranceResult r;
            r.utteranceId = u.id;
            if (ids[static_cast<std::size_t>(i)].empty() && (*prepared)[static_cast<std::size_t>(i)].audio.size(0) == 0) {
                r.error = utteranceError(u, "nothing to analyse: no text and no speech (MERITS-L reads these two)").message;
            }
            r.labels = labels;
            const auto* row = logProbs[i].data_ptr<float>();
            r.labelLogProbs.assign(row, row + logProbs.size(1));
            for (double lp : r.labelLogProbs) r.probabilities.push_back(std::exp(lp));
            const auto best = std::max_element(r.labelLogProbs.begin(), r.labelLogProbs.end()) - r.labelLogProbs.begin();
            r.prediction = r.scoredPrediction = r.generated = labels[static_cast<std::size_t>(best)];
            r.tokenIds = ids[static_cast<std::size_t>(i)];
            for (auto id : r.tokenIds) r.tokenPieces.push_back(m_tokenizer->piece(id));
            // The trace: this utterance's row of each co-attention map, the dialogue's utterances as keys.
            r.textLength = 1;
            r.audioLength = count;
            r.positions.push_back({Modality::Text, 0.0});
            for (std::int64_t k = 0; k < count; ++k) r.positions.push_back({Modality::Audio, 0.0});
            r.attention.textToAv = toMatrix(out.textToAudio.narrow(1, i, 1));
            r.attention.avToText = toMatrix(out.audioToText.narrow(1, i, 1).transpose(1, 2));
            r.timings.encodeMs = ms / static_cast<double>(count);
            result.utterances.push_back(std::move(r));
        }
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, "dialogue " + dialogue.id + ": the MERITS-L model failed (" + exceptionText(e) +
                                                  "); please report this with the checkpoint");
    }
}

}  // namespace egmf::runtime
