#include "huggingface_plugin.h"

#include "egmf/huggingface.h"

namespace egmf::plugin {
namespace fs = std::filesystem;

Verdict HuggingFacePlugin::canLoad(const fs::path& path) const {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return {false, path.string() + " is not a folder"};
    if (fs::exists(path / "config.json") && !fs::exists(path / "manifest.json")) {
        return {false, path.string() +
                           " is a Hugging Face model folder without the EGMF parts; make a checkpoint folder whose "
                           "manifest.json names it as huggingface.base_model (docs/checkpoint.md)"};
    }
    if (!fs::exists(path / "manifest.json")) return {false, path.string() + " has no manifest.json"};
    auto manifest = readManifest(path);
    if (!manifest) return {false, manifest.error().message};
    if (!manifest->huggingFace) return {false, "its manifest.json has no \"huggingface\" section"};
    return {true, {}};
}

Result<CheckpointInfo> HuggingFacePlugin::inspect(const fs::path& path) const {
    return inspectCheckpoint(path);
}

Result<std::unique_ptr<Analyzer>> HuggingFacePlugin::load(const fs::path& path, const LoadOptions& options, const LoadControl& control) {
    return loadHuggingFaceCheckpoint(path, options, control);
}

}  // namespace egmf::plugin
