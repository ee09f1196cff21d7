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

}  // namespace egmf
