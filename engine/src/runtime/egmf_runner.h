#pragma once
// Runs the EGMF model over one dialogue and keeps every stage's tensors (UtteranceTrace). The
// native analyzer turns traces into value results; the golden tests compare them with the
// PyTorch reference stage by stage.
//
// Two passes, because the dialogue context needs every utterance: pass 1 encodes and fuses each
// utterance and pools H_f; the context GRU runs over the pooled vectors; pass 2 enhances,
// builds the prompt and runs the LLM per utterance (progress is reported here). The caller holds
// c10::InferenceMode.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "egmf/analyzer.h"
#include "egmf/app/tokenizer.h"
#include "model/egmf.h"
#include "model/llm/generation.h"
#include "model/torch_errors.h"
#include "tokenizer/prompt.h"

namespace egmf::runtime {

struct UtteranceTrace {
    std::vector<std::int32_t> textIds;
    model::EncodedUtterance encoded;
    at::Tensor context;  ///< c_i
    model::EnhancerOutput enhanced;
    at::Tensor pseudo;  ///< [M, d_llm]
    tokenizer::PromptIds prompt;
    at::Tensor promptLogits;  ///< [vocab] after the whole prompt
    std::vector<std::int64_t> generated;
    std::vector<double> labelLogProbs;
    StageTimings timings;
    std::string error;  ///< non-empty: this utterance was not analysed (the rest went on)
};

class EgmfRunner {
public:
    EgmfRunner(model::EgmfImpl& model, const tokenizer::Tokenizer& tokenizer);

    /// `onUtterance(index, trace)` is called in order as each utterance finishes.
    Result<std::vector<UtteranceTrace>> run(const Dialogue& dialogue, const AnalyzeOptions& options, const std::atomic<bool>& cancel,
                                            const std::function<void(std::size_t, const UtteranceTrace&)>& onUtterance = {});

    /// The model inputs of one utterance after ablation; fills `textIds`.
    Result<model::UtteranceInputs> inputsFor(const Utterance& utterance, const AnalyzeOptions& options,
                                             std::vector<std::int32_t>& textIds) const;
    const tokenizer::PromptBuilder& prompts() const { return m_prompts; }
    const std::vector<std::vector<std::int32_t>>& answers() const { return m_answers; }
    const Manifest& manifest() const { return m_model.manifest(); }

private:
    void decode(const Dialogue& dialogue, std::size_t index, const AnalyzeOptions& options, UtteranceTrace& trace);

    model::EgmfImpl& m_model;
    const tokenizer::Tokenizer& m_tokenizer;
    tokenizer::PromptBuilder m_prompts;
    std::vector<std::vector<std::int32_t>> m_answers;  ///< " label" + EOS per label
};

}  // namespace egmf::runtime
