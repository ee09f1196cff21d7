#pragma once
// The Analyzer behind a MERITS-L checkpoint (docs/merits-l.md): runs the three stages over a
// dialogue and gives each utterance the stage-III class probabilities, with its row of both
// co-attention maps as the attention trace (queries: this utterance; keys: the dialogue's
// utterances). MERITS-L has no gates and does not generate: `generated` is the predicted label.

#include <memory>

#include "egmf/analyzer.h"
#include "egmf/app/tokenizer.h"
#include "egmf/checkpoint.h"
#include "model/merits.h"

namespace egmf::runtime {

/// The model's inputs for a dialogue (text ids, log-mel), with the ablation switches applied;
/// `textIds` gets each utterance's ids.
Result<std::vector<model::MeritsInputs>> meritsInputs(const model::MeritsImpl& model, const tokenizer::Tokenizer& tokenizer,
                                                      const Dialogue& dialogue, const AnalyzeOptions& options,
                                                      std::vector<std::vector<std::int32_t>>& textIds);

class MeritsAnalyzer final : public Analyzer {
public:
    MeritsAnalyzer(model::Merits model, std::unique_ptr<tokenizer::Tokenizer> tokenizer);
    const Manifest& manifest() const override { return m_model->manifest(); }
    std::string device() const override;
    Result<DialogueResult> analyzeDialogue(const Dialogue& dialogue, const AnalyzeOptions& options,
                                           const std::atomic<bool>& cancel) override;

    model::MeritsImpl& model() { return *m_model; }
    Result<std::vector<model::MeritsInputs>> inputs(const Dialogue& dialogue, const AnalyzeOptions& options,
                                                    std::vector<std::vector<std::int32_t>>& textIds) const {
        return meritsInputs(*m_model, *m_tokenizer, dialogue, options, textIds);
    }

private:
    model::Merits m_model;
    std::unique_ptr<tokenizer::Tokenizer> m_tokenizer;
};

}  // namespace egmf::runtime
