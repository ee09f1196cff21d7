#pragma once
// Writing a file whole and atomically with the mode it must have from its first byte (a key or
// a clients file: 0600), so no other user can read it even for a moment, and a crash leaves the
// old file or the new one, never half of it. The server's key and clients file, the Studio's
// server tokens.

#include <sys/types.h>
#include <filesystem>
#include <string>

#include "egmf/result.h"

namespace egmf {

Result<void> writeFileAtomically(const std::filesystem::path& file, const std::string& text, mode_t mode);

}  // namespace egmf
