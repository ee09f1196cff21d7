#include "egmf/checkpoint_info.h"

#include <map>
#include <sstream>

#include "safetensors.h"

namespace egmf {

Result<CheckpointInfo> inspectCheckpoint(const std::filesystem::path& folder) {
    auto manifest = readManifest(folder);
    if (!manifest) {
        return manifest.error();
    }
    auto weights = checkpoint::SafetensorsFile::open(folder / "model.safetensors");
    if (!weights) {
        return weights.error();
    }
    CheckpointInfo info;
    info.manifest = std::move(*manifest);
    std::map<std::string, std::int64_t> perGroup;  // parameters per top-level key
    for (const auto& t : weights->tensors()) {
        std::int64_t count = 1;
        for (auto d : t.shape) { count *= d; }
        ++info.tensorCount;
        info.parameterCount += count;
        info.weightBytes += t.byteSize();
        perGroup[t.name.substr(0, t.name.find('.'))] += count;
    }
    const auto& m = info.manifest;
    std::ostringstream s;
    s << "checkpoint   " << folder.string() << "\n"
      << "architecture " << m.architecture << " (format " << m.formatVersion << ")\n"
      << "task         " << (m.task == Task::Classification ? "classification" : "regression") << "\n";
    if (m.task == Task::Classification) {
        s << "labels      ";
        for (const auto& l : m.labels) { s << " " << l; }
        s << "\n";
    } else {
        s << "score range  [" << m.scoreMin << ", " << m.scoreMax << "]\n";
    }
    s << "fusion       d=" << m.fusionDim << ", " << m.fusionHeads << " heads; experts r="
      << m.expertRatios[0] << "/" << m.expertRatios[1] << "/" << m.expertRatios[2]
      << "; context GRU " << m.contextHidden << (m.contextBidirectional ? " bidirectional" : " causal")
      << "; " << m.pseudoTokens << " pseudo tokens\n"
      << "llm          " << m.llm.modelType << ", " << m.llm.numHiddenLayers << " layers, hidden "
      << m.llm.hiddenSize << ", heads " << m.llm.numAttentionHeads << "/" << m.llm.numKeyValueHeads
      << ", vocab " << m.llm.vocabSize << "\n"
      << "lora         ";
    if (m.lora) {
        s << "r=" << m.lora->rank << " alpha=" << m.lora->alpha << " on";
        for (const auto& t : m.lora->targetModules) { s << " " << t; }
        s << "\n";
    } else {
        s << "none\n";
    }
    s << "tokenizer    " << m.tokenizer.kind << (m.tokenizer.file.empty() ? "" : " (" + m.tokenizer.file + ")") << "\n"
      << "tensors      " << info.tensorCount << ", " << info.parameterCount << " parameters, "
      << info.weightBytes << " bytes\n";
    for (const auto& [group, count] : perGroup) {
        s << "  " << group << ": " << count << "\n";
    }
    s << "provenance   " << m.provenanceJson << "\n";
    info.summary = s.str();
    return info;
}

}  // namespace egmf
