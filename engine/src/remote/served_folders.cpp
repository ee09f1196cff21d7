#include "served_folders.h"

namespace egmf::remote {

Result<ServedFolders> ServedFolders::make(const std::vector<std::filesystem::path>& roots) {
    ServedFolders out;
    for (const auto& root : roots) {
        std::error_code ec;
        auto canonical = std::filesystem::canonical(root, ec);
        if (ec || !std::filesystem::is_directory(canonical)) {
            return makeError(ErrorCode::NotFound, root.string() + ": --data-root must be an existing folder");
        }
        out.m_roots.push_back(std::move(canonical));
    }
    return out;
}

bool ServedFolders::inside(const std::filesystem::path& canonical) const {
    for (const auto& root : m_roots) {
        const auto relative = canonical.lexically_relative(root);
        if (!relative.empty() && *relative.begin() != "..") return true;
    }
    return false;
}

std::string ServedFolders::rootList() const {
    if (m_roots.empty()) return "none (start the server with --data-root FOLDER)";
    std::string list;
    for (const auto& root : m_roots) list += (list.empty() ? "" : ", ") + root.string();
    return list;
}

Result<std::filesystem::path> ServedFolders::resolve(const std::string& name) const {
    const std::filesystem::path path(name);
    for (const auto& part : path) {
        if (part == "..") return makeError(ErrorCode::InvalidArgument, name + ": refused: a path with \"..\" in it is never served");
    }
    std::vector<std::filesystem::path> candidates;
    if (path.is_absolute()) {
        candidates.push_back(path);
    } else {
        for (const auto& root : m_roots) candidates.push_back(root / path);
    }
    bool escaped = false;
    for (const auto& candidate : candidates) {
        std::error_code ec;
        const auto canonical = std::filesystem::canonical(candidate, ec);
        if (ec) continue;
        if (inside(canonical)) return canonical;
        escaped = true;
    }
    if (escaped) {
        return makeError(ErrorCode::InvalidArgument, name + ": refused: it lies outside the folders this server exports (" + rootList() +
                                                         "), or a symlink leads there; upload the clip instead");
    }
    return makeError(ErrorCode::NotFound, name + ": not found under the folders this server exports (" + rootList() + "); upload it");
}

}  // namespace egmf::remote
