#include "trained_weights.h"

#include <fstream>

#include "checkpoint/huggingface_layout.h"
#include "egmf/huggingface.h"
#include "loading/weights.h"

namespace egmf::train {
namespace {
namespace fs = std::filesystem;

bool isBaseKey(const std::string& key) {
    return key.starts_with("llm.");
}
bool isTrainedKey(const std::string& key) {
    return !isBaseKey(key);
}

/// Writes to `file`.partial and renames: a crash leaves the old file or the new one.
Result<void> replaceAtomically(const fs::path& file, const std::function<Result<void>(const fs::path&)>& write) {
    const fs::path temporary = file.string() + ".partial";
    if (auto written = write(temporary); !written) return written;
    std::error_code ec;
    fs::rename(temporary, file, ec);
    if (ec) return makeError(ErrorCode::Io, file.string() + ": cannot replace (" + ec.message() + ")");
    return {};
}

/// Fills the parameters `wanted` accepts from `sources`, mapped.
Result<void> loadFrom(torch::nn::Module& model, const Manifest& manifest, const std::vector<checkpoint::WeightSource>& sources,
                      const std::function<bool(const std::string&)>& wanted, const std::string& where) {
    auto files = checkpoint::openSources(sources);
    if (!files) return files.error();
    auto tensors = checkpoint::tensorsByKey(sources, *files);
    if (!tensors) return tensors.error();
    return loading::loadMapped(model, *tensors, *files, checkpoint::expectedTensors(manifest), wanted, where);
}

}  // namespace

Result<void> useHuggingFaceBase(Manifest& manifest, const fs::path& base, bool withAdapter) {
    auto resolved = checkpoint::resolveHuggingFaceBase(base);
    if (!resolved) return resolved.error();
    if (resolved->tokenizer.file.empty()) {
        return makeError(ErrorCode::NotFound,
                         base.string() + ": neither tokenizer.json nor tokenizer.model; the base model's tokenizer is needed");
    }
    manifest.llm = resolved->llm;
    manifest.tokenizer = resolved->tokenizer;
    manifest.huggingFace =
        HuggingFaceParts{fs::absolute(base).lexically_normal().string(), withAdapter ? "adapter" : "", "fusion.safetensors"};
    if (!withAdapter) {
        manifest.lora.reset();
    } else if (!manifest.lora) {
        manifest.lora = LoraConfig{};
        manifest.lora->targetModules = defaultLoraTargets(manifest.llm);
    }
    return {};
}

Result<void> loadBaseWeights(torch::nn::Module& model, const Manifest& manifest) {
    auto base = checkpoint::resolveHuggingFaceBase(manifest.huggingFace->baseModel);
    if (!base) return base.error();
    return loadFrom(model, manifest, base->sources, isBaseKey, manifest.huggingFace->baseModel);
}

Result<void> saveCheckpointWeights(const torch::nn::Module& model, const Manifest& manifest, const fs::path& folder) {
    if (!manifest.huggingFace) {
        return replaceAtomically(folder / "model.safetensors", [&](const fs::path& to) { return loading::saveModule(model, to); });
    }
    std::map<std::string, at::Tensor> fusion, adapter;
    for (const auto& item : model.named_parameters(true)) {
        const auto key = loading::checkpointKey(item.key());
        if (key.starts_with(checkpoint::kLoraKeyPrefix)) {
            adapter[checkpoint::kPeftPrefix + key.substr(std::string(checkpoint::kLoraKeyPrefix).size())] = item.value();
        } else if (!isBaseKey(key)) {
            fusion[key] = item.value();
        }
    }
    if (manifest.huggingFace->adapter.empty()) {  // a frozen base: the fusion weights are all that trained
        return replaceAtomically(folder / manifest.huggingFace->fusionWeights,
                                 [&](const fs::path& to) { return loading::saveTensors(to, fusion); });
    }
    std::error_code ec;
    fs::create_directories(folder / manifest.huggingFace->adapter, ec);
    const auto adapterFolder = folder / manifest.huggingFace->adapter;
    if (auto saved = replaceAtomically(folder / manifest.huggingFace->fusionWeights,
                                       [&](const fs::path& to) { return loading::saveTensors(to, fusion); });
        !saved) {
        return saved;
    }
    if (auto saved = replaceAtomically(adapterFolder / "adapter_model.safetensors",
                                       [&](const fs::path& to) {
                                           return loading::saveTensors(to, adapter, {{"format", "pt"}});
                                       });
        !saved) {
        return saved;
    }
    std::ofstream config(adapterFolder / "adapter_config.json", std::ios::trunc);
    config << checkpoint::peftAdapterConfigJson(*manifest.lora, manifest.huggingFace->baseModel);
    if (!config) return makeError(ErrorCode::Io, (adapterFolder / "adapter_config.json").string() + ": cannot write; check the disk");
    return {};
}

Result<void> loadCheckpointWeights(torch::nn::Module& model, const Manifest& manifest, const fs::path& folder) {
    if (!manifest.huggingFace) {
        auto weights = checkpoint::SafetensorsFile::open(folder / "model.safetensors");
        if (!weights) return weights.error();
        return loading::loadStrict(model, *weights, (folder / "model.safetensors").string());
    }
    std::vector<checkpoint::WeightSource> sources{{folder / manifest.huggingFace->fusionWeights, "", "", {}, {}}};
    if (!manifest.huggingFace->adapter.empty()) {  // none for a frozen base
        auto adapter = checkpoint::resolvePeftAdapter(folder / manifest.huggingFace->adapter);
        if (!adapter) return adapter.error();
        sources.insert(sources.begin(), adapter->source);
    }
    return loadFrom(model, manifest, sources, isTrainedKey, folder.string());
}

Result<void> saveStateWeights(const torch::nn::Module& model, const Manifest& manifest, const fs::path& file) {
    return replaceAtomically(file, [&](const fs::path& to) {
        return loading::saveModule(model, to, {}, manifest.huggingFace ? std::function<bool(const std::string&)>(isTrainedKey) : nullptr);
    });
}

Result<void> loadStateWeights(torch::nn::Module& model, const Manifest& manifest, const fs::path& file) {
    if (!manifest.huggingFace) {
        auto weights = checkpoint::SafetensorsFile::open(file);
        if (!weights) return weights.error();
        return loading::loadStrict(model, *weights, file.string());
    }
    return loadFrom(model, manifest, {{file, "", "", {}, {}}}, isTrainedKey, file.string());
}

}  // namespace egmf::train
