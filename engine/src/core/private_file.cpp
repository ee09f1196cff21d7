#include "egmf/app/private_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace egmf {

Result<void> writeFileAtomically(const std::filesystem::path& file, const std::string& text, mode_t mode) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    const auto temporary = file.string() + ".new";
    ::unlink(temporary.c_str());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return makeError(ErrorCode::Io, file.string() + ": cannot be written; check the folder's permissions");
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || std::rename(temporary.c_str(), file.c_str()) != 0) {
        ::unlink(temporary.c_str());
        return makeError(ErrorCode::Io, file.string() + ": writing failed (disk full?)");
    }
    return {};
}

}  // namespace egmf
