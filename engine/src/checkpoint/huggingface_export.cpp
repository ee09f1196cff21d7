// Exports to the Hugging Face layout (egmf/huggingface.h): tensors renamed, bytes unchanged.
#include <fstream>

#include <nlohmann/json.hpp>

#include "egmf/app/safetensors.h"
#include "egmf/huggingface.h"
#include "huggingface_layout.h"

namespace egmf {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

Result<void> writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return makeError(ErrorCode::Io, path.string() + ": cannot write; check the disk and permissions");
    return {};
}

Result<void> makeFolder(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot create (" + ec.message() + "); choose another output folder");
    return {};
}

/// The entries of `file` that `rename` gives a name (empty: left out), written to `out`.
Result<void> writeRenamed(const checkpoint::SafetensorsFile& file, const fs::path& out,
                          const std::function<std::string(const std::string&)>& rename,
                          const std::map<std::string, std::string>& metadata = {}) {
    std::vector<checkpoint::TensorToWrite> tensors;
    for (const auto& entry : file.tensors()) {
        const auto name = rename(entry.name);
        if (!name.empty()) tensors.push_back({name, entry.dtype, entry.shape, entry.bytes});
    }
    return checkpoint::writeSafetensors(out, std::move(tensors), metadata);
}

std::string peftName(const std::string& key) {
    const std::string ours = checkpoint::kLoraKeyPrefix;
    return key.starts_with(ours) ? checkpoint::kPeftPrefix + key.substr(ours.size()) : std::string();
}

}  // namespace

bool isHuggingFaceCheckpoint(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec) || !fs::exists(folder / "manifest.json", ec)) return false;
    auto manifest = readManifest(folder);
    return manifest.ok() && manifest->huggingFace.has_value();
}

Result<void> exportPeftAdapter(const fs::path& checkpoint, const fs::path& outDir) {
    auto manifest = readManifest(checkpoint);
    if (!manifest) return manifest.error();
    if (manifest->huggingFace) {
        auto layout = checkpoint::resolveHuggingFaceLayout(checkpoint, std::move(*manifest));
        if (!layout) return layout.error();
        if (layout->adapterFolder.empty())
            return makeError(ErrorCode::NotFound, checkpoint.string() + ": this checkpoint has no LoRA adapter to export");
        auto file = checkpoint::SafetensorsFile::open(layout->adapterFolder / "adapter_model.safetensors");
        if (!file) return file.error();
        if (auto made = makeFolder(outDir); !made) return made;
        if (auto written =
                writeRenamed(*file, outDir / "adapter_model.safetensors", [](const std::string& n) { return n; }, {{"format", "pt"}});
            !written)
            return written;
        return writeText(outDir / "adapter_config.json",
                         checkpoint::peftAdapterConfigJson(*layout->manifest.lora, layout->baseFolder.string()));
    }
    if (!manifest->lora)
        return makeError(ErrorCode::NotFound, checkpoint.string() + ": this checkpoint has no LoRA adapter (manifest.json lora is null)");
    auto file = checkpoint::SafetensorsFile::open(checkpoint / "model.safetensors");
    if (!file) return file.error();
    if (auto made = makeFolder(outDir); !made) return made;
    if (auto written = writeRenamed(*file, outDir / "adapter_model.safetensors", peftName, {{"format", "pt"}}); !written) return written;
    return writeText(outDir / "adapter_config.json", checkpoint::peftAdapterConfigJson(*manifest->lora, "base"));
}

Result<void> exportHuggingFaceCheckpoint(const fs::path& native, const fs::path& outDir) {
    auto manifest = readManifest(native);
    if (!manifest) return manifest.error();
    if (manifest->huggingFace) return makeError(ErrorCode::InvalidArgument, native.string() + ": already in the Hugging Face layout");
    if (manifest->tokenizer.kind == "bytes") {
        return makeError(
            ErrorCode::Unsupported,
            native.string() + ": its byte tokenizer has no tokenizer.json or tokenizer.model that a Hugging Face folder could hold");
    }
    auto file = checkpoint::SafetensorsFile::open(native / "model.safetensors");
    if (!file) return file.error();
    if (auto made = makeFolder(outDir / "base"); !made) return made;
    const std::string tokenizerName = manifest->tokenizer.kind == "sentencepiece" ? "tokenizer.model" : "tokenizer.json";
    std::error_code ec;
    fs::copy_file(native / manifest->tokenizer.file, outDir / "base" / tokenizerName, fs::copy_options::overwrite_existing, ec);
    if (ec) return makeError(ErrorCode::Io, (native / manifest->tokenizer.file).string() + ": cannot copy (" + ec.message() + ")");
    if (auto written = writeText(outDir / "base" / "config.json", serializeLlmConfig(manifest->llm)); !written) return written;
    const auto llmName = [](const std::string& key) { return key.starts_with("llm.") ? key.substr(4) : std::string(); };
    if (auto written = writeRenamed(*file, outDir / "base" / "model.safetensors", llmName, {{"format", "pt"}}); !written) return written;
    if (auto written =
            writeRenamed(*file, outDir / "fusion.safetensors",
                         [](const std::string& key) { return key.starts_with("llm.") || key.starts_with("lora.") ? std::string() : key; });
        !written)
        return written;
    Manifest out = *manifest;
    out.huggingFace = HuggingFaceParts{"base", manifest->lora ? "adapter" : "", "fusion.safetensors"};
    if (manifest->lora) {
        if (auto peft = exportPeftAdapter(native, outDir / "adapter"); !peft) return peft;
        if (auto written =
                writeText(outDir / "adapter" / "adapter_config.json", checkpoint::peftAdapterConfigJson(*manifest->lora, "../base"));
            !written)
            return written;
    }
    return writeText(outDir / "manifest.json", serializeManifest(out));
}

}  // namespace egmf
