#pragma once
// Loading a native EGMF checkpoint: a folder with manifest.json + model.safetensors
// (docs/checkpoint.md). Loading is strict: every key the model expects must be there with its
// shape, and nothing else may be.
//
// Where a model goes is one rule for every loader (resolveLoadOptions): device "auto" is CUDA when
// this LibTorch has it and a GPU is present, else the CPU; dtype "auto" is the weights' own dtype
// (config.json's torch_dtype; float32 for native checkpoints) on CUDA and float32 on the CPU. A
// load whose estimate exceeds 80% of the machine's RAM (CPU) or of the GPU's free memory (CUDA) is
// refused with the reason and what to do (checkLoadFits); on the CPU, bfloat16 has to be asked for.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "egmf/analyzer.h"

namespace egmf {

struct LoadOptions {
    std::string device = "cpu";  ///< auto | cpu | cuda | cuda:1
    std::string dtype = "auto";  ///< auto | float32 | float16 | bfloat16
};

/// What a caller sees of a load running on another thread, and how it stops it.
struct LoadControl {
    std::function<void(double)> progress;       ///< 0..1 while the weights are read
    const std::atomic<bool>* cancel = nullptr;  ///< true: stop at the next tensor (ErrorCode::Cancelled)
    bool cancelled() const { return cancel && cancel->load(); }
};

/// Bytes a checkpoint needs once loaded (weights + working memory), from its manifest alone.
std::int64_t estimateLoadedBytes(const Manifest& manifest, const std::string& dtype);
/// `options` with device and dtype "auto" replaced by the rule above.
LoadOptions resolveLoadOptions(const Manifest& manifest, LoadOptions options);
/// Resolves `options` and refuses a load that would not fit; `where` names the checkpoint.
Result<void> checkLoadFits(const Manifest& manifest, LoadOptions& options, const std::string& where);

Result<std::unique_ptr<Analyzer>> loadNativeCheckpoint(const std::filesystem::path& folder, const LoadOptions& options = {},
                                                       const LoadControl& control = {});

enum class RandomInit {
    Default,   ///< PyTorch's initialisations; LoRA B zero (an untrained adapter)
    Perturbed  ///< every weight random, LoRA B and norms included (for reference tests)
};

/// Writes a checkpoint folder for `manifest` with random weights from `seed`.
Result<void> createRandomCheckpoint(const std::filesystem::path& folder, const Manifest& manifest, std::uint64_t seed,
                                    RandomInit init = RandomInit::Default);

}  // namespace egmf
