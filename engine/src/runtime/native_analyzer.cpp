#include "native_analyzer.h"

#include <c10/core/InferenceMode.h>

#include "trace_values.h"

namespace egmf {
namespace runtime {

NativeAnalyzer::NativeAnalyzer(model::Egmf model, std::unique_ptr<tokenizer::Tokenizer> tokenizer)
    : m_model(std::move(model)), m_tokenizer(std::move(tokenizer)) {
    m_model->eval();
    m_model->llm->limitVocabulary(m_tokenizer->vocabSize());
}

std::string NativeAnalyzer::device() const {
    return m_model->options().device().str();
}

Result<DialogueResult> NativeAnalyzer::analyzeDialogue(const Dialogue& dialogue, const AnalyzeOptions& options,
                                                       const std::atomic<bool>& cancel) {
    try {
        c10::InferenceMode inference;
        EgmfRunner runner(*m_model, *m_tokenizer);
        DialogueResult result;
        result.dialogueId = dialogue.id;
        auto traces = runner.run(dialogue, options, cancel, [&](std::size_t i, const UtteranceTrace& trace) {
            result.utterances.push_back(toResult(dialogue.utterances[i], trace));
        });
        if (!traces) {
            return traces.error();
        }
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, "dialogue " + dialogue.id + ": the model failed (" + exceptionText(e) +
                                                  "); please report this with the checkpoint");
    }
}

UtteranceResult NativeAnalyzer::toResult(const Utterance& utterance, const UtteranceTrace& trace) const {
    return traceToResult(m_model->manifest(), *m_tokenizer, utterance, trace);
}

}  // namespace runtime
}  // namespace egmf
