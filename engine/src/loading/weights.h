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
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "egmf/app/expected_tensors.h"
#include "egmf/app/safetensors.h"
#include "egmf/checkpoint.h"
#include "egmf/result.h"

namespace egmf::loading {

// The checkpoint parsing types these functions take (egmf/app/safetensors.h, expected_tensors.h).
using checkpoint::DType;
using checkpoint::ExpectedTensor;
using checkpoint::SafetensorsFile;
using checkpoint::TensorEntry;
using checkpoint::TensorToWrite;

/// The checkpoint key of a module parameter name (and back).
std::string checkpointKey(const std::string& parameterName);
std::string parameterName(const std::string& checkpointKey);

/// Copies every parameter of `module` from `file` (converting to each parameter's dtype and
/// device). Nothing is copied unless every key matches.
/// `control` sees each tensor go in and may stop the load between two (ErrorCode::Cancelled).
Result<void> loadStrict(torch::nn::Module& module, const SafetensorsFile& file, const std::string& sourceName,
                        const LoadControl& control = {});

/// Fills the parameters of `module` whose checkpoint key `wanted` accepts from `tensors` (keys ->
/// entries of `files`, whose mappings the parameters keep alive), without initialising or copying twice: an entry
/// already in the wanted dtype and suitably aligned becomes the parameter itself on the CPU (it
/// aliases the copy-on-write mapping) and is copied once to a GPU; others are converted once.
/// Strict like loadStrict, but against `expected` (expected_tensors.h: the shapes the manifest
/// implies), so parameters may be placeholders (model::DeferredBaseWeights). `control` as loadStrict.
Result<void> loadMapped(torch::nn::Module& module, const std::map<std::string, const TensorEntry*>& tensors,
                        const std::vector<SafetensorsFile>& files, const std::vector<ExpectedTensor>& expected,
                        const std::function<bool(const std::string& key)>& wanted, const std::string& sourceName,
                        const LoadControl& control = {});

/// Writes the parameters of `module` under their checkpoint keys (those `keep` accepts, if given).
Result<void> saveModule(const torch::nn::Module& module, const std::filesystem::path& path,
                        const std::map<std::string, std::string>& metadata = {},
                        const std::function<bool(const std::string& key)>& keep = {});

/// Plain named tensors (test inputs, reference outputs). CPU, contiguous.
Result<void> saveTensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                         const std::map<std::string, std::string>& metadata = {});
Result<std::map<std::string, at::Tensor>> loadTensors(const std::filesystem::path& path);

/// A tensor holding a copy of an entry's bytes.
at::Tensor toTensor(const TensorEntry& entry);

}  // namespace egmf::loading
