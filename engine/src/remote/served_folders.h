#pragma once
// The folders a server exports (`egmf serve --data-root`, repeatable) and what a client may name
// in them. A name is refused when it has a ".." part, when it is absolute and outside every root,
// or when the file it reaches through symlinks lies outside every root: a client reads only what
// the operator exported.

#include <filesystem>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::remote {

class ServedFolders {
public:
    /// Each root is made canonical; an error names a root that does not exist.
    static Result<ServedFolders> make(const std::vector<std::filesystem::path>& roots);
    /// The file `name` means: an absolute path under a root, or a path relative to a root (the
    /// first root that has it). The error says why not and names the exported folders.
    Result<std::filesystem::path> resolve(const std::string& name) const;
    const std::vector<std::filesystem::path>& roots() const { return m_roots; }

private:
    bool inside(const std::filesystem::path& canonical) const;
    std::string rootList() const;
    std::vector<std::filesystem::path> m_roots;
};

}  // namespace egmf::remote
