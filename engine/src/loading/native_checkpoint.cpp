// Native checkpoint folders: manifest.json + model.safetensors (docs/checkpoint.md).

#include <fstream>

#include <ATen/ATen.h>

#include "checkpoint_models.h"
#include "model_target.h"
#include "weights.h"

namespace egmf {
namespace loading {

Result<LoadedEgmf> loadEgmf(const std::filesystem::path& folder, const Manifest& manifest, const LoadOptions& options,
                            const LoadControl& control) {
    auto tokenizer = tokenizer::makeTokenizer(manifest.tokenizer, folder, manifest.llm.vocabSize);
    if (!tokenizer) return tokenizer.error();
    const auto weightsPath = folder / "model.safetensors";
    auto weights = checkpoint::SafetensorsFile::open(weightsPath);
    if (!weights) return weights.error();
    auto model = buildModel(manifest, options);
    if (!model) return model.error();
    if (auto loaded = loadStrict(**model, *weights, weightsPath.string(), control); !loaded) return loaded.error();
    return LoadedEgmf{std::move(*model), std::move(*tokenizer)};
}

Result<LoadedMerits> loadMerits(const std::filesystem::path& folder, const Manifest& manifest, const LoadOptions& options,
                                const LoadControl& control) {
    if (manifest.architecture != "merits-l" || manifest.task != Task::Classification) {
        return makeError(ErrorCode::Unsupported, (folder / "manifest.json").string() + ": not a MERITS-L classification checkpoint");
    }
    auto tokenizer = tokenizer::makeCheckpointTokenizer(manifest, folder);
    if (!tokenizer) return tokenizer.error();
    auto options32 = options;
    if (options32.dtype == "auto") options32.dtype = "float32";
    auto built = buildModule<model::Merits>(manifest, options32);
    if (!built) return built.error();
    const auto weightsPath = folder / "model.safetensors";
    auto weights = checkpoint::SafetensorsFile::open(weightsPath);
    if (!weights) return weights.error();
    if (auto loaded = loadStrict(**built, *weights, weightsPath.string(), control); !loaded) return loaded.error();
    return LoadedMerits{std::move(*built), std::move(*tokenizer)};
}

}  // namespace loading

Result<void> createRandomCheckpoint(const std::filesystem::path& folder, const Manifest& manifest, std::uint64_t seed, RandomInit init) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        return makeError(ErrorCode::Io, folder.string() + ": cannot create (" + ec.message() + ")");
    }
    at::manual_seed(seed);
    std::shared_ptr<torch::nn::Module> model;
    if (manifest.architecture == "merits-l") {
        auto built = loading::buildModule<model::Merits>(manifest, {});
        if (!built) return built.error();
        model = built->ptr();
    } else {
        auto built = loading::buildModel(manifest, {});
        if (!built) return built.error();
        model = built->ptr();
    }
    if (init == RandomInit::Perturbed) {
        at::NoGradGuard noGrad;
        for (auto& item : model->named_parameters(true)) {
            auto& p = item.value();
            const bool isNorm = item.key().find("norm") != std::string::npos && p.dim() == 1 && item.key().ends_with("weight");
            p.copy_(isNorm ? 1 + 0.2 * at::randn_like(p) : 0.15 * at::randn_like(p));
        }
    }
    std::ofstream out(folder / "manifest.json", std::ios::binary | std::ios::trunc);
    out << serializeManifest(manifest);
    if (!out) {
        return makeError(ErrorCode::Io, (folder / "manifest.json").string() + ": cannot write");
    }
    return loading::saveModule(*model, folder / "model.safetensors", {{"format", "egmf"}, {"seed", std::to_string(seed)}});
}

}  // namespace egmf
