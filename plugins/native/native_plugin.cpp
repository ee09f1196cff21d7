#include "native_plugin.h"

#include "egmf/checkpoint_archive.h"

namespace egmf::plugin {
namespace fs = std::filesystem;

Verdict NativePlugin::canLoad(const fs::path& path) const {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (!fs::exists(path / "manifest.json")) return {false, path.string() + " has no manifest.json"};
        auto manifest = readManifest(path);
        if (!manifest) return {false, manifest.error().message};
        if (manifest->architecture != "egmf") return {false, "architecture \"" + manifest->architecture + "\" is not EGMF"};
        if (manifest->huggingFace) return {false, "its LLM is a Hugging Face folder (the Hugging Face plugin reads it)"};
        return {true, {}};
    }
    if (path.extension() == ".egmf" && fs::is_regular_file(path, ec)) return {true, {}};
    return {false, path.string() + " is neither a checkpoint folder nor a .egmf archive"};
}

Result<fs::path> NativePlugin::folderFor(const fs::path& path) const {
    if (fs::is_directory(path)) return path;
    return unpackCheckpointArchive(path);
}

}  // namespace egmf::plugin
