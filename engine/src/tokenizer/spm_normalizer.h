#pragma once
// SentencePiece's normaliser: the precompiled character map (a uint32 trie size, a Darts-clone
// double-array trie, then NUL-terminated replacement strings) applied longest-prefix first, and
// the whitespace rules of its NormalizerSpec (drop leading/trailing/repeated spaces, add the
// dummy "▁" prefix, spaces to "▁"). Also serves tokenizer.json's "Precompiled" normaliser, which
// is the character map alone. Every trie access is bounds-checked: the map comes from a file.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "egmf/result.h"

namespace egmf::tokenizer {

struct SpmNormalizerSpec {
    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;
    bool treatWhitespaceAsSuffix = false;
};

class CharsMap {
public:
    /// An empty blob is the identity map.
    static Result<CharsMap> parse(std::string_view blob, const std::string& sourceName);

    /// The replacement of the longest rule matching a prefix of `input` and the bytes it
    /// consumes; without a rule, the first character itself (a malformed byte becomes U+FFFD).
    std::pair<std::string_view, std::size_t> normalizePrefix(std::string_view input) const;

    /// The whole string through the map (tokenizer.json's Precompiled).
    std::string apply(std::string_view text) const;

private:
    std::vector<std::uint32_t> m_units;
    std::string m_replacements;
};

/// SentencePiece's Normalizer::Normalize.
std::string spmNormalize(std::string_view text, const CharsMap& map, const SpmNormalizerSpec& spec);

}  // namespace egmf::tokenizer
