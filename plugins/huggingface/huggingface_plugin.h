#pragma once
// The Hugging Face plugin: an EGMF checkpoint whose LLM is a Hugging Face Llama-family folder
// (Llama-2, Llama-3, Qwen2, Mistral; config.json, safetensors shards + index, tokenizer.json or
// tokenizer.model), with a PEFT LoRA adapter and the EGMF fusion weights (egmf/huggingface.h,
// docs/checkpoint.md). Weights are memory-mapped; bf16/f16 stay in their dtype on CUDA.

#include <QObject>

#include "egmf/plugin/checkpoint_loader.h"

namespace egmf::plugin {

class HuggingFacePlugin : public QObject, public CheckpointLoader {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID EGMF_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(egmf::plugin::CheckpointLoader)
public:
    Verdict canLoad(const std::filesystem::path& path) const override;
    Result<CheckpointInfo> inspect(const std::filesystem::path& path) const override;
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions& options,
                                           const LoadControl& control) override;
};

}  // namespace egmf::plugin
