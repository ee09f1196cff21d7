#pragma once
// Moving weights between LibTorch modules and safetensors files (the torch side of checkpoints;
// safetensors.h is the torch-free parser underneath).
//
// Parameter names are the checkpoint keys, with one mapping: LoRA adapters live under "lora."
// in checkpoints (PEFT layout) but inside the LLM's projections in the module tree, so
//   module  llm.model.layers.0.self_attn.q_proj.lora_A.weight
//   file    lora.model.layers.0.self_attn.q_proj.lora_A.weight
// Loading is strict: missing, unexpected and wrong-shape keys are all listed in one error.

#include <filesystem>
#include <map>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "egmf/result.h"
#include "safetensors.h"

namespace egmf::checkpoint {

/// The checkpoint key of a module parameter name (and back).
std::string checkpointKey(const std::string& parameterName);
std::string parameterName(const std::string& checkpointKey);

/// Copies every parameter of `module` from `file` (converting to each parameter's dtype and
/// device). Nothing is copied unless every key matches.
Result<void> loadStrict(torch::nn::Module& module, const SafetensorsFile& file,
                        const std::string& sourceName);

/// Writes every parameter of `module` under its checkpoint key.
Result<void> saveModule(const torch::nn::Module& module, const std::filesystem::path& path,
                        const std::map<std::string, std::string>& metadata = {});

/// Plain named tensors (test inputs, reference outputs). CPU, contiguous.
Result<void> saveTensors(const std::filesystem::path& path,
                         const std::map<std::string, at::Tensor>& tensors,
                         const std::map<std::string, std::string>& metadata = {});
Result<std::map<std::string, at::Tensor>> loadTensors(const std::filesystem::path& path);

/// A tensor holding a copy of an entry's bytes.
at::Tensor toTensor(const TensorEntry& entry);

}  // namespace egmf::checkpoint
