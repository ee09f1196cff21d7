#pragma once
// A Hugging Face EGMF checkpoint (docs/checkpoint.md) is a folder whose manifest.json has a
// "huggingface" section naming three parts:
//   base_model      a Hugging Face Llama-family folder: config.json, model.safetensors or shards
//                   + model.safetensors.index.json, tokenizer.json or tokenizer.model
//   adapter         a PEFT LoRA folder: adapter_config.json + adapter_model.safetensors (optional)
//   fusion_weights  the EGMF weights outside the LLM (av_encoder., fusion., enhancer., ...)
// This file resolves that layout without LibTorch and without reading weights: the manifest with
// the LLM config from config.json and the LoRA config from adapter_config.json, the tokenizer file,
// and the weight files with the key mapping that puts every tensor under its checkpoint key
// (HF "model.layers.0..." -> "llm.model.layers.0...", PEFT "base_model.model.model..." ->
// "lora.model..."). What the engine cannot compute as PEFT or transformers would (DoRA, rank or
// alpha patterns, ...) is refused by the name of the key.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "egmf/app/safetensors.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::checkpoint {

/// One weight file and how its tensor names become checkpoint keys.
struct WeightSource {
    std::filesystem::path file;
    std::string fromPrefix;                    ///< a name must start with this ...
    std::string toPrefix;                      ///< ... which is replaced by this
    std::vector<std::string> ignoredSuffixes;  ///< names ending so are not weights of the model
    std::vector<std::string> ignoredNames;
    /// The checkpoint key of `name`, "" for an ignored name, nullopt for a name that does not fit.
    std::optional<std::string> keyOf(const std::string& name) const;
};

/// A Hugging Face model folder: its config, tokenizer and weights (under "llm." keys).
struct HuggingFaceBase {
    LlmConfig llm;
    TokenizerConfig tokenizer;  ///< kind and the absolute file; file empty when the folder has none
    std::vector<WeightSource> sources;
};
Result<HuggingFaceBase> resolveHuggingFaceBase(const std::filesystem::path& baseFolder);

/// A PEFT LoRA adapter folder: its config and weights (under "lora." keys).
struct PeftAdapter {
    LoraConfig lora;
    WeightSource source;
};
Result<PeftAdapter> resolvePeftAdapter(const std::filesystem::path& adapterFolder);

struct HuggingFaceLayout {
    Manifest manifest;                                ///< llm from config.json, lora from adapter_config.json
    std::filesystem::path baseFolder, adapterFolder;  ///< adapterFolder empty: no adapter
    std::filesystem::path tokenizerFile;
    std::vector<WeightSource> sources;  ///< base shards, then the adapter, then the fusion weights
};

/// Resolves the checkpoint folder `folder` (reads manifest.json and the JSON files of the parts).
Result<HuggingFaceLayout> resolveHuggingFaceLayout(const std::filesystem::path& folder);
/// The same for a manifest already read (its huggingface section must be set).
Result<HuggingFaceLayout> resolveHuggingFaceLayout(const std::filesystem::path& folder, Manifest manifest);

/// adapter_config.json -> LoraConfig; unsupported options are refused by name.
Result<LoraConfig> parseAdapterConfig(const nlohmann::json& config, const std::string& sourceName);

/// The weight files of a Hugging Face model folder: the shards the index names, or model.safetensors.
Result<std::vector<std::filesystem::path>> llmWeightFiles(const std::filesystem::path& baseFolder);

/// Every tensor of the opened `files` (one per source, same order) under its checkpoint key.
/// A name that fits no mapping, or a key given twice, is an error naming the file.
Result<std::map<std::string, const TensorEntry*>> tensorsByKey(const std::vector<WeightSource>& sources,
                                                               const std::vector<SafetensorsFile>& files);

/// Opens every source's file (memory-mapped; no tensor byte is read).
Result<std::vector<SafetensorsFile>> openSources(const std::vector<WeightSource>& sources);

/// adapter_config.json as peft writes it: every option at its default but what `lora` sets.
std::string peftAdapterConfigJson(const LoraConfig& lora, const std::string& baseModel);

/// PEFT's name prefix for the LoRA weights of a causal LM, and ours.
inline constexpr const char* kPeftPrefix = "base_model.model.";
inline constexpr const char* kLoraKeyPrefix = "lora.";

}  // namespace egmf::checkpoint
