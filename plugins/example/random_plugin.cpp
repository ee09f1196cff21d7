#include "random_plugin.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "egmf/app/sha256.h"
#include "egmf/paths.h"

namespace egmf::plugin {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSuffix = ".egmf-random.json";

bool hasSuffix(const fs::path& path) {
    const auto name = path.filename().string();
    return name.size() > std::string(kSuffix).size() &&
           name.compare(name.size() - std::string(kSuffix).size(), std::string::npos, kSuffix) == 0;
}

/// The checkpoint folder the description becomes (made once, keyed by the description's bytes).
Result<fs::path> materialise(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, file.string() + ": cannot read it");
    std::stringstream text;
    text << in.rdbuf();
    const auto bytes = text.str();
    nlohmann::json description = nlohmann::json::parse(bytes, nullptr, false);
    if (description.is_discarded() || !description.is_object() || !description.contains("manifest")) {
        return makeError(ErrorCode::Corrupt, file.string() + ": expected {\"manifest\": {...}, \"seed\": N}");
    }
    auto manifest = parseManifest(description["manifest"].dump(), file.string());
    if (!manifest) return manifest.error();
    const auto seed = description.value("seed", std::uint64_t{1});
    const auto hash = sha256Hex({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}).substr(0, 16);
    const auto folder = userCacheDir() / "random-checkpoints" / hash;
    if (fs::exists(folder / ".complete")) return folder;
    removeTree(folder);
    if (auto made = createRandomCheckpoint(folder, *manifest, seed); !made) return made.error();
    std::ofstream(folder / ".complete") << file.string() << '\n';
    return folder;
}

}  // namespace

Verdict RandomPlugin::canLoad(const fs::path& path) const {
    if (!hasSuffix(path)) return {false, "not a *.egmf-random.json description"};
    return {true, {}};
}

Result<fs::path> RandomPlugin::folderFor(const fs::path& path) const {
    return materialise(path);
}

}  // namespace egmf::plugin
