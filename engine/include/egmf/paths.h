#pragma once
// Resource lookup. The build tree and the install tree share one layout (cmake/EgmfLayout.cmake):
// <prefix>/bin/<program>, <prefix>/share/egmf-studio/..., <prefix>/lib/egmf-studio/plugins, so a
// program finds everything relative to its own executable.

#include <filesystem>

namespace egmf {

/// The folder of the running executable (from /proc/self/exe).
std::filesystem::path executableDir();
/// <prefix>/share/egmf-studio
std::filesystem::path shareDir();
/// <prefix>/lib/egmf-studio/plugins
std::filesystem::path pluginDir();

/// $XDG_CACHE_HOME/egmf-studio (~/.cache/egmf-studio without it): caches that can be rebuilt.
std::filesystem::path userCacheDir();

/// Removes a folder and everything under it; true when nothing is left. Use this, not
/// std::filesystem::remove_all: PyTorch's pip LibTorch (2.11) exports its own remove_all, which
/// wins symbol lookup over libstdc++'s in any program linking it and jumps to address 0.
bool removeTree(const std::filesystem::path& root) noexcept;

}  // namespace egmf
