#include "egmf/paths.h"

#include <system_error>

namespace egmf {

std::filesystem::path executableDir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::filesystem::path shareDir() { return executableDir().parent_path() / "share" / "egmf-studio"; }

std::filesystem::path pluginDir() {
    return executableDir().parent_path() / "lib" / "egmf-studio" / "plugins";
}

}  // namespace egmf
