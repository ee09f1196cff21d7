// The public loaders (egmf/checkpoint.h, egmf/huggingface.h): a checkpoint folder's model from
// loading/, wrapped in the analyzer that runs it.

#include "egmf/checkpoint.h"
#include "egmf/huggingface.h"
#include "loading/checkpoint_models.h"
#include "merits_analyzer.h"
#include "native_analyzer.h"

namespace egmf {

Result<std::unique_ptr<Analyzer>> loadNativeCheckpoint(const std::filesystem::path& folder, const LoadOptions& options) {
    auto manifest = readManifest(folder);
    if (!manifest) return manifest.error();
    if (manifest->huggingFace) {
        return loadHuggingFaceCheckpoint(folder, options);  // the same model, its LLM in Hugging Face folders
    }
    if (manifest->architecture == "merits-l") {
        auto merits = loading::loadMerits(folder, *manifest, options);
        if (!merits) return merits.error();
        return std::unique_ptr<Analyzer>(
            std::make_unique<runtime::MeritsAnalyzer>(std::move(merits->model), std::move(merits->tokenizer)));
    }
    auto loaded = loading::loadEgmf(folder, *manifest, options);
    if (!loaded) return loaded.error();
    return std::unique_ptr<Analyzer>(
        std::make_unique<runtime::NativeAnalyzer>(std::move(loaded->model), std::move(loaded->tokenizer)));
}

Result<std::unique_ptr<Analyzer>> loadHuggingFaceCheckpoint(const std::filesystem::path& folder, const LoadOptions& options,
                                                            const std::function<void(double)>& progress) {
    auto loaded = loading::loadHuggingFaceEgmf(folder, options, progress);
    if (!loaded) return loaded.error();
    return std::unique_ptr<Analyzer>(
        std::make_unique<runtime::NativeAnalyzer>(std::move(loaded->model), std::move(loaded->tokenizer)));
}

}  // namespace egmf
