#pragma once
// SHA-256 (FIPS 180-4), for checking bundled resources against their SHA256SUMS. Written here
// rather than pulling in OpenSSL for one function; tests compare it with coreutils' sha256sum.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "egmf/result.h"

namespace egmf {

/// Lower-case hex digest of `bytes`.
std::string sha256Hex(std::span<const std::uint8_t> bytes);

/// Lower-case hex digest of a file's content.
Result<std::string> sha256File(const std::filesystem::path& file);

/// Checks every "<hex>  <name>" line of `folder/SHA256SUMS` (sha256sum's format); the error names
/// the first file that is missing or differs.
Result<void> verifySha256Sums(const std::filesystem::path& folder);

}  // namespace egmf
