#pragma once
// The Analyzer behind a native EGMF checkpoint (egmf/checkpoint.h): owns the model, its tokenizer
// and the device, runs EgmfRunner under c10::InferenceMode and turns traces into value results.

#include <memory>

#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf_runner.h"

namespace egmf::runtime {

class NativeAnalyzer final : public Analyzer {
public:
    NativeAnalyzer(model::Egmf model, std::unique_ptr<tokenizer::Tokenizer> tokenizer);

    const Manifest& manifest() const override { return m_model->manifest(); }
    std::string device() const override;
    Result<DialogueResult> analyzeDialogue(const Dialogue& dialogue, const AnalyzeOptions& options,
                                           const std::atomic<bool>& cancel) override;

    model::EgmfImpl& model() { return *m_model; }
    const tokenizer::Tokenizer& tokenizer() const { return *m_tokenizer; }

private:
    UtteranceResult toResult(const Utterance& utterance, const UtteranceTrace& trace) const;

    model::Egmf m_model;
    std::unique_ptr<tokenizer::Tokenizer> m_tokenizer;
};

}  // namespace egmf::runtime
