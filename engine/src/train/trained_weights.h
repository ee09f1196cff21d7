#pragma once
// Where the trainer's weights go. A native run writes model.safetensors; a run that starts from a
// Hugging Face model (TrainConfig::baseModel) keeps its frozen base where it is and writes only
// what it trained, in the Hugging Face layout (egmf/huggingface.h): fusion.safetensors and a PEFT
// adapter folder, beside a manifest that names the base. Its resumable state holds the trained
// parameters only, so a 7B base is never copied.

#include <filesystem>

#include <torch/nn/module.h>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::train {

/// Points `manifest` at the Hugging Face model folder `base`: its config, its tokenizer, the
/// huggingface section (adapter "adapter", fusion "fusion.safetensors") and a LoRA config
/// (the configured one, or PEFT's default targets). Without `withAdapter` the base stays as it is
/// (no adapter: the paper's "w/o LoRA").
Result<void> useHuggingFaceBase(Manifest& manifest, const std::filesystem::path& base, bool withAdapter = true);

/// Fills the frozen base LLM of `model` (built under model::DeferredBaseWeights) from the base's files.
Result<void> loadBaseWeights(torch::nn::Module& model, const Manifest& manifest);

/// The checkpoint's weights: model.safetensors, or fusion.safetensors + adapter/ (Hugging Face).
Result<void> saveCheckpointWeights(const torch::nn::Module& model, const Manifest& manifest, const std::filesystem::path& folder);
Result<void> loadCheckpointWeights(torch::nn::Module& model, const Manifest& manifest, const std::filesystem::path& folder);

/// The resumable state's weights: every parameter, or (Hugging Face) the trained ones.
Result<void> saveStateWeights(const torch::nn::Module& model, const Manifest& manifest, const std::filesystem::path& file);
Result<void> loadStateWeights(torch::nn::Module& model, const Manifest& manifest, const std::filesystem::path& file);

}  // namespace egmf::train
