#pragma once
// Hugging Face EGMF checkpoints (docs/checkpoint.md, "Hugging Face layout"): a folder whose
// manifest.json has a "huggingface" section naming a Llama-family model folder (config.json,
// safetensors shards, tokenizer), an optional PEFT LoRA adapter folder and the EGMF fusion weights.
// Loading maps the weights (bf16/f16 stay in their dtype on CUDA, copied once from the mapping;
// on the CPU a tensor already in the wanted dtype is used in place). The exports write what PEFT
// and transformers read, by renaming tensors: no LibTorch, no value changes.

#include <filesystem>
#include <functional>
#include <memory>

#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/result.h"

namespace egmf {

/// Whether `folder` holds a manifest.json with a "huggingface" section (reads only the manifest).
bool isHuggingFaceCheckpoint(const std::filesystem::path& folder);

/// Loads it (device and dtype as egmf/checkpoint.h's rule resolves them).
Result<std::unique_ptr<Analyzer>> loadHuggingFaceCheckpoint(const std::filesystem::path& folder, const LoadOptions& options = {},
                                                            const LoadControl& control = {});

/// The LoRA adapter of a checkpoint (native or Hugging Face) as a PEFT adapter folder:
/// adapter_config.json + adapter_model.safetensors with PEFT's names, for `peft.PeftModel`.
Result<void> exportPeftAdapter(const std::filesystem::path& checkpoint, const std::filesystem::path& outDir);

/// A native checkpoint in the Hugging Face layout: base/ (config.json, model.safetensors, the
/// tokenizer), adapter/ (PEFT) and fusion.safetensors, with a manifest.json that names them.
Result<void> exportHuggingFaceCheckpoint(const std::filesystem::path& nativeCheckpoint, const std::filesystem::path& outDir);

}  // namespace egmf
