// The public loaders (egmf/checkpoint.h, egmf/huggingface.h): a checkpoint folder's model from
// loading/, wrapped in the analyzer that runs it; and the engine's opener for builds without plugins.

#include "egmf/checkpoint.h"
#include "egmf/huggingface.h"
#include "egmf/local_engine.h"
#include "loading/checkpoint_models.h"
#include "merits_analyzer.h"
#include "native_analyzer.h"

namespace egmf {

Result<std::unique_ptr<Analyzer>> loadNativeCheckpoint(const std::filesystem::path& folder, const LoadOptions& options,
                                                       const LoadControl& control) {
    auto manifest = readManifest(folder);
    if (!manifest) return manifest.error();
    if (manifest->huggingFace) {
        return loadHuggingFaceCheckpoint(folder, options, control);  // the same model, its LLM in Hugging Face folders
    }
    if (manifest->architecture == "merits-l") {
        auto merits = loading::loadMerits(folder, *manifest, options, control);
        if (!merits) return merits.error();
        return std::unique_ptr<Analyzer>(std::make_unique<runtime::MeritsAnalyzer>(std::move(merits->model), std::move(merits->tokenizer)));
    }
    auto loaded = loading::loadEgmf(folder, *manifest, options, control);
    if (!loaded) return loaded.error();
    return std::unique_ptr<Analyzer>(std::make_unique<runtime::NativeAnalyzer>(std::move(loaded->model), std::move(loaded->tokenizer)));
}

Result<std::unique_ptr<Analyzer>> loadHuggingFaceCheckpoint(const std::filesystem::path& folder, const LoadOptions& options,
                                                            const LoadControl& control) {
    auto loaded = loading::loadHuggingFaceEgmf(folder, options, control);
    if (!loaded) return loaded.error();
    return std::unique_ptr<Analyzer>(std::make_unique<runtime::NativeAnalyzer>(std::move(loaded->model), std::move(loaded->tokenizer)));
}

CheckpointOpener nativeCheckpointOpener() {
    return [](const std::filesystem::path& folder, const LoadOptions& requested) -> Result<PreparedLoad> {
        auto manifest = readManifest(folder);
        if (!manifest) return manifest.error();
        auto options = requested;
        if (auto fits = checkLoadFits(*manifest, options, folder.string()); !fits) return fits.error();
        ModelInfo model{*manifest, folder.string(), "built-in native loader", options.device, options.dtype};
        return PreparedLoad{std::move(model),
                            [folder, options](const LoadControl& control) { return loadNativeCheckpoint(folder, options, control); }};
    };
}

}  // namespace egmf
