#include "merits_plugin.h"

namespace egmf::plugin {
namespace fs = std::filesystem;

Verdict MeritsPlugin::canLoad(const fs::path& path) const {
    std::error_code ec;
    if (!fs::is_directory(path, ec) || !fs::exists(path / "manifest.json", ec))
        return {false, path.string() + " is not a folder with manifest.json"};
    auto manifest = readManifest(path);
    if (!manifest) return {false, manifest.error().message};
    if (manifest->architecture != "merits-l") return {false, "architecture \"" + manifest->architecture + "\" is not MERITS-L"};
    return {true, {}};
}

Result<CheckpointInfo> MeritsPlugin::inspect(const fs::path& path) const {
    return inspectCheckpoint(path);
}

Result<std::unique_ptr<Analyzer>> MeritsPlugin::load(const fs::path& path, const LoadOptions& options, const LoadControl& control) {
    return loadNativeCheckpoint(path, options, control);  // passes MERITS-L manifests to its loader
}

}  // namespace egmf::plugin
