#include "egmf/paths.h"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace egmf {

std::filesystem::path executableDir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::filesystem::path shareDir() {
    return executableDir().parent_path() / "share" / "egmf-studio";
}

std::filesystem::path pluginDir() {
    return executableDir().parent_path() / "lib" / "egmf-studio" / "plugins";
}

bool removeTree(const std::filesystem::path& root) noexcept {
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(root, ec);
    if (ec) {
        return ec == std::errc::no_such_file_or_directory;
    }
    if (std::filesystem::is_directory(status)) {
        // Collect first: removing while iterating invalidates the iterator.
        std::vector<std::filesystem::path> children;
        for (std::filesystem::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
            children.push_back(it->path());
        }
        for (const auto& child : children) {
            removeTree(child);
        }
    }
    std::filesystem::remove(root, ec);
    return !ec;
}

std::filesystem::path userCacheDir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path base =
        xdg && *xdg ? std::filesystem::path(xdg) : std::filesystem::path(home && *home ? home : "/tmp") / ".cache";
    return base / "egmf-studio";
}

}  // namespace egmf
