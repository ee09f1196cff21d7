#pragma once
// UTF-8 validation shared by everything that reads untrusted text (JSON headers, decoded tokens).

#include <cstddef>
#include <string>
#include <string_view>

namespace egmf::utf8 {

/// Length in bytes of the well-formed sequence starting at text[0], or 0 when it is malformed
/// (bad lead byte, truncated, overlong, surrogate or past U+10FFFF).
std::size_t sequenceLength(std::string_view text);

bool isValid(std::string_view text);

/// Replaces every malformed sequence with U+FFFD.
std::string sanitize(std::string_view text);

}  // namespace egmf::utf8
