#pragma once
// Loading a native EGMF checkpoint: a folder with manifest.json + model.safetensors
// (docs/checkpoint.md). Loading is strict: every key the model expects must be there with its
// shape, and nothing else may be.

#include <filesystem>
#include <memory>
#include <string>

#include "egmf/analyzer.h"

namespace egmf {

struct LoadOptions {
    std::string device = "cpu";  ///< "cpu", "cuda", "cuda:1"
    /// auto | float32 | float16 | bfloat16. auto: the weights' own dtype (config.json's torch_dtype;
    /// float32 for native checkpoints) on CUDA; float32 on the CPU, or the weights' dtype when
    /// float32 would not fit in 80% of RAM (checkLoadFits).
    std::string dtype = "auto";
};

Result<std::unique_ptr<Analyzer>> loadNativeCheckpoint(const std::filesystem::path& folder,
                                                       const LoadOptions& options = {});

enum class RandomInit {
    Default,  ///< PyTorch's initialisations; LoRA B zero (an untrained adapter)
    Perturbed ///< every weight random, LoRA B and norms included (for reference tests)
};

/// Writes a checkpoint folder for `manifest` with random weights from `seed`.
Result<void> createRandomCheckpoint(const std::filesystem::path& folder, const Manifest& manifest,
                                    std::uint64_t seed, RandomInit init = RandomInit::Default);

}  // namespace egmf
