// Native checkpoint folders: manifest.json + model.safetensors (docs/checkpoint.md).

#include <fstream>

#include <ATen/ATen.h>

#include "egmf/checkpoint.h"
#include "egmf/huggingface.h"
#include "runtime/merits_analyzer.h"
#include "runtime/native_analyzer.h"
#include "weights.h"

namespace egmf {

Result<std::unique_ptr<Analyzer>> loadNativeCheckpoint(const std::filesystem::path& folder,
                                                       const LoadOptions& options) {
    auto manifest = readManifest(folder);
    if (!manifest) {
        return manifest.error();
    }
    if (manifest->huggingFace) {
        return loadHuggingFaceCheckpoint(folder, options);  // the same model, its LLM in Hugging Face folders
    }
    if (manifest->architecture == "merits-l") {
        return runtime::loadMeritsCheckpoint(folder, options);
    }
    auto tokenizer = tokenizer::makeTokenizer(manifest->tokenizer, folder, manifest->llm.vocabSize);
    if (!tokenizer) {
        return tokenizer.error();
    }
    const auto weightsPath = folder / "model.safetensors";
    auto weights = checkpoint::SafetensorsFile::open(weightsPath);
    if (!weights) {
        return weights.error();
    }
    auto model = runtime::buildModel(*manifest, options);
    if (!model) {
        return model.error();
    }
    if (auto loaded = checkpoint::loadStrict(**model, *weights, weightsPath.string()); !loaded) {
        return loaded.error();
    }
    return std::unique_ptr<Analyzer>(
        std::make_unique<runtime::NativeAnalyzer>(std::move(*model), std::move(*tokenizer)));
}

Result<void> createRandomCheckpoint(const std::filesystem::path& folder, const Manifest& manifest,
                                    std::uint64_t seed, RandomInit init) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        return makeError(ErrorCode::Io, folder.string() + ": cannot create (" + ec.message() + ")");
    }
    at::manual_seed(seed);
    std::shared_ptr<torch::nn::Module> model;
    if (manifest.architecture == "merits-l") {
        auto built = runtime::buildModule<model::Merits>(manifest, {});
        if (!built) return built.error();
        model = built->ptr();
    } else {
        auto built = runtime::buildModel(manifest, {});
        if (!built) return built.error();
        model = built->ptr();
    }
    if (init == RandomInit::Perturbed) {
        at::NoGradGuard noGrad;
        for (auto& item : model->named_parameters(true)) {
            auto& p = item.value();
            const bool isNorm = item.key().find("norm") != std::string::npos && p.dim() == 1 &&
                                item.key().ends_with("weight");
            p.copy_(isNorm ? 1 + 0.2 * at::randn_like(p) : 0.15 * at::randn_like(p));
        }
    }
    std::ofstream out(folder / "manifest.json", std::ios::binary | std::ios::trunc);
    out << serializeManifest(manifest);
    if (!out) {
        return makeError(ErrorCode::Io, (folder / "manifest.json").string() + ": cannot write");
    }
    return checkpoint::saveModule(*model, folder / "model.safetensors",
                                  {{"format", "egmf"}, {"seed", std::to_string(seed)}});
}

}  // namespace egmf
