#include "native_analyzer.h"

#include <c10/core/InferenceMode.h>

#include "allocator_tuning.h"
#include "trace_values.h"

namespace egmf {
namespace runtime {

NativeAnalyzer::NativeAnalyzer(model::Egmf model, std::unique_ptr<tokenizer::Tokenizer> tokenizer)
    : m_model(std::move(model)), m_tokenizer(std::move(tokenizer)) {
    m_model->eval();
}

std::string NativeAnalyzer::device() const { return m_model->options().device().str(); }

Result<DialogueResult> NativeAnalyzer::analyzeDialogue(const Dialogue& dialogue,
                                                       const AnalyzeOptions& options,
                                                       const std::atomic<bool>& cancel) {
    try {
        c10::InferenceMode inference;
        EgmfRunner runner(*m_model, *m_tokenizer);
        DialogueResult result;
        result.dialogueId = dialogue.id;
        auto traces = runner.run(dialogue, options, cancel,
                                 [&](std::size_t i, const UtteranceTrace& trace) {
                                     result.utterances.push_back(toResult(dialogue.utterances[i], trace));
                                 });
        if (!traces) {
            return traces.error();
        }
        return result;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, "dialogue " + dialogue.id + ": the model failed (" +
                                                  exceptionText(e) + "); please report this with the checkpoint");
    }
}

UtteranceResult NativeAnalyzer::toResult(const Utterance& utterance, const UtteranceTrace& trace) const {
    return traceToResult(m_model->manifest(), *m_tokenizer, utterance, trace);
}

Result<ModelTarget> modelTarget(const Manifest& manifest, const LoadOptions& options) {
    at::ScalarType dtype = at::kFloat;
    std::string wanted = options.dtype;
    if (wanted == "auto") {
        // The weights' own dtype on a GPU; float32 on the CPU (checkLoadFits may have chosen already).
        wanted = options.device.rfind("cuda", 0) == 0 ? manifest.llm.torchDtype : "float32";
    }
    if (wanted == "float16") {
        dtype = at::kHalf;
    } else if (wanted == "bfloat16") {
        dtype = at::kBFloat16;
    } else if (wanted != "float32") {
        return makeError(ErrorCode::InvalidArgument,
                         "dtype \"" + options.dtype + "\" is not one of auto, float32, float16, bfloat16");
    }
    tuneAllocatorForInference();
    try {
        const c10::Device device(options.device);
        if (device.is_cuda() && !at::hasCUDA()) {
            return makeError(ErrorCode::Unsupported,
                             "device " + options.device + " asked for, but this LibTorch build has no "
                             "CUDA (or no GPU is present); use --device cpu");
        }
        return ModelTarget{device, dtype};
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, "device \"" + options.device + "\": " + exceptionText(e));
    }
}

Result<model::Egmf> buildModel(const Manifest& manifest, const LoadOptions& options) {
    return buildModule<model::Egmf>(manifest, options);
}

}  // namespace runtime
}  // namespace egmf
