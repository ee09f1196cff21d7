#pragma once
// A checkpoint folder's model with its weights loaded, and its tokenizer: what the analyzers of
// runtime/ wrap. Native EGMF folders load strictly by name (every expected key with its shape,
// nothing else); the Hugging Face layout maps its files and builds the LLM with its weights
// deferred, then fills every parameter from the mapping; MERITS-L folders load like native ones.

#include <filesystem>
#include <memory>

#include "egmf/app/tokenizer.h"
#include "egmf/checkpoint.h"
#include "model/egmf.h"
#include "model/merits.h"

namespace egmf::loading {

struct LoadedEgmf {
    model::Egmf model;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer;
};

struct LoadedMerits {
    model::Merits model;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer;
};

/// manifest.json + model.safetensors (+ the tokenizer the manifest names).
Result<LoadedEgmf> loadEgmf(const std::filesystem::path& folder, const Manifest& manifest, const LoadOptions& options,
                            const LoadControl& control = {});

/// A folder whose manifest has a "huggingface" section.
Result<LoadedEgmf> loadHuggingFaceEgmf(const std::filesystem::path& folder, const LoadOptions& options, const LoadControl& control = {});

/// A MERITS-L classification checkpoint ("auto" is float32 on every device: the model is small).
Result<LoadedMerits> loadMerits(const std::filesystem::path& folder, const Manifest& manifest, const LoadOptions& options,
                                const LoadControl& control = {});

}  // namespace egmf::loading
