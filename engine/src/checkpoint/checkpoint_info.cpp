#include "egmf/checkpoint_info.h"

#include <map>
#include <nlohmann/json.hpp>

#include "egmf/app/expected_tensors.h"
#include "egmf/app/safetensors.h"
#include "huggingface_layout.h"

namespace egmf {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

/// Every way the file's tensors differ from what the manifest's model needs.
std::vector<std::string> compareWithManifest(std::map<std::string, const checkpoint::TensorEntry*> present, const Manifest& manifest) {
    std::vector<std::string> problems;
    for (const auto& expected : checkpoint::expectedTensors(manifest)) {
        const auto found = present.find(expected.key);
        if (found == present.end()) {
            problems.push_back("missing " + expected.key + " " + shapeText(expected.shape));
            continue;
        }
        const auto& entry = *found->second;
        if (entry.shape != expected.shape) {
            problems.push_back(expected.key + " has shape " + shapeText(entry.shape) + ", the manifest needs " + shapeText(expected.shape));
        }
        if (entry.dtype != checkpoint::DType::F32 && entry.dtype != checkpoint::DType::F16 && entry.dtype != checkpoint::DType::BF16) {
            problems.push_back(expected.key + " is " + std::string(checkpoint::dtypeName(entry.dtype)) +
                               ", not a floating type (F32, F16, BF16)");
        }
        present.erase(found);
    }
    for (const auto& [key, entry] : present) problems.push_back("unexpected " + key + " " + shapeText(entry->shape));
    return problems;
}

std::string summarize(const CheckpointInfo& info, const std::filesystem::path& folder) {
    const auto& m = info.manifest;
    nlohmann::json out = {{"checkpoint", folder.string()},
                          {"architecture", m.architecture},
                          {"formatVersion", m.formatVersion},
                          {"task", m.task == Task::Classification ? "classification" : "regression"}};
    if (m.task == Task::Classification)
        out["labels"] = m.labels;
    else
        out["scoreRange"] = {m.scoreMin, m.scoreMax};
    out["fusion"] = {{"dim", m.fusionDim},
                     {"heads", m.fusionHeads},
                     {"expertRatios", m.expertRatios},
                     {"contextHidden", m.contextHidden},
                     {"contextBidirectional", m.contextBidirectional},
                     {"pseudoTokens", m.pseudoTokens}};
    out["features"] = {{"audioDim", m.audioFeatureDim},
                       {"audioFramesPerSecond", m.audioFramesPerSecond},
                       {"visualDim", m.visualFeatureDim},
                       {"visualFramesPerSecond", m.visualFramesPerSecond}};
    out["llm"] = {{"modelType", m.llm.modelType},     {"layers", m.llm.numHiddenLayers},
                  {"hidden", m.llm.hiddenSize},       {"intermediate", m.llm.intermediateSize},
                  {"heads", m.llm.numAttentionHeads}, {"kvHeads", m.llm.numKeyValueHeads},
                  {"vocab", m.llm.vocabSize}};
    out["lora"] = m.lora ? nlohmann::json{{"rank", m.lora->rank}, {"alpha", m.lora->alpha}, {"targetModules", m.lora->targetModules}}
                         : nlohmann::json();
    out["tokenizer"] = {{"kind", m.tokenizer.kind}, {"file", m.tokenizer.file}};
    if (!m.substitutes.empty()) out["substitutes"] = m.substitutes;
    if (m.huggingFace) {
        out["huggingface"] = {{"baseModel", m.huggingFace->baseModel},
                              {"adapter", m.huggingFace->adapter},
                              {"fusionWeights", m.huggingFace->fusionWeights},
                              {"torchDtype", m.llm.torchDtype}};
    }
    out["tensors"] = info.tensorCount;
    out["parameters"] = info.parameterCount;
    out["weightBytes"] = info.weightBytes;
    out["parametersPerPart"] = info.parametersPerPart;
    out["tensorsPerDtype"] = info.tensorsPerDtype;
    out["provenance"] = nlohmann::json::parse(m.provenanceJson, nullptr, false);
    if (out["provenance"].is_discarded()) out["provenance"] = m.provenanceJson;
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<CheckpointInfo> inspectCheckpoint(const std::filesystem::path& folder) {
    auto manifest = readManifest(folder);
    if (!manifest) return manifest.error();
    // A native folder has one weight file; a Hugging Face one has its parts (huggingface_layout.h).
    std::vector<checkpoint::WeightSource> sources{{folder / "model.safetensors", "", "", {}, {}}};
    if (manifest->huggingFace) {
        auto layout = checkpoint::resolveHuggingFaceLayout(folder, std::move(*manifest));
        if (!layout) return layout.error();
        manifest = std::move(layout->manifest);
        sources = std::move(layout->sources);
    }
    auto files = checkpoint::openSources(sources);
    if (!files) return files.error();
    auto tensors = checkpoint::tensorsByKey(sources, *files);
    if (!tensors) return tensors.error();
    const std::string where = sources.size() == 1 ? sources.front().file.string() : folder.string();
    if (const auto problems = compareWithManifest(*tensors, *manifest); !problems.empty()) {
        std::string message =
            where + ": " + std::to_string(problems.size()) + " tensors do not fit manifest.json (is it the manifest of these weights?):";
        for (std::size_t i = 0; i < problems.size() && i < 12; ++i) message += "\n  " + problems[i];
        if (problems.size() > 12) message += "\n  ... and " + std::to_string(problems.size() - 12) + " more";
        return makeError(ErrorCode::Mismatch, message);
    }
    CheckpointInfo info;
    info.manifest = std::move(*manifest);
    for (const auto& [key, t] : *tensors) {
        std::int64_t count = 1;
        for (auto d : t->shape) count *= d;
        ++info.tensorCount;
        info.parameterCount += count;
        info.weightBytes += t->byteSize();
        info.parametersPerPart[key.substr(0, key.find('.'))] += count;
        ++info.tensorsPerDtype[std::string(checkpoint::dtypeName(t->dtype))];
    }
    info.summaryJson = summarize(info, folder);
    return info;
}

}  // namespace egmf
