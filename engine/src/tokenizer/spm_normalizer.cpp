#include "spm_normalizer.h"

#include <cstring>

#include "core/utf8.h"

namespace egmf::tokenizer {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";        // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Darts-clone unit fields.
bool hasLeaf(std::uint32_t unit) {
    return (unit >> 8) & 1;
}
std::uint32_t value(std::uint32_t unit) {
    return unit & ((1U << 31) - 1);
}
std::uint32_t label(std::uint32_t unit) {
    return unit & ((1U << 31) | 0xFF);
}
std::uint32_t offset(std::uint32_t unit) {
    return (unit >> 10) << ((unit & (1U << 9)) >> 6);
}

}  // namespace

Result<CharsMap> CharsMap::parse(std::string_view blob, const std::string& sourceName) {
    CharsMap map;
    if (blob.empty()) return map;
    std::uint32_t trieSize = 0;
    if (blob.size() < 4) {
        return makeError(ErrorCode::Corrupt, sourceName + ": the precompiled character map is truncated");
    }
    std::memcpy(&trieSize, blob.data(), 4);
    if (trieSize % 4 != 0 || trieSize == 0 || trieSize > blob.size() - 4) {
        return makeError(ErrorCode::Corrupt, sourceName + ": the precompiled character map's trie size is wrong");
    }
    map.m_units.resize(trieSize / 4);
    std::memcpy(map.m_units.data(), blob.data() + 4, trieSize);
    map.m_replacements.assign(blob.substr(4 + trieSize));
    if (map.m_replacements.empty() || map.m_replacements.back() != '\0') {
        map.m_replacements.push_back('\0');  // every replacement ends at a NUL
    }
    return map;
}

std::pair<std::string_view, std::size_t> CharsMap::normalizePrefix(std::string_view input) const {
    if (input.empty()) return {{}, 0};
    std::size_t longestLength = 0;
    std::uint32_t longestValue = 0;
    if (!m_units.empty()) {
        std::size_t node = offset(m_units[0]);
        for (std::size_t i = 0; i < input.size(); ++i) {
            const auto byte = static_cast<unsigned char>(input[i]);
            node ^= byte;
            if (node >= m_units.size()) break;
            const auto unit = m_units[node];
            if (label(unit) != byte) break;
            node ^= offset(unit);
            if (node >= m_units.size()) break;
            if (hasLeaf(unit)) {
                longestLength = i + 1;  // later matches are longer
                longestValue = value(m_units[node]);
            }
        }
    }
    if (longestLength == 0 || longestValue >= m_replacements.size()) {
        const std::size_t length = utf8::sequenceLength(input);
        if (length == 0) return {kReplacement, 1};
        return {input.substr(0, length), length};
    }
    return {std::string_view(m_replacements.c_str() + longestValue), longestLength};
}

std::string CharsMap::apply(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto [replacement, consumed] = normalizePrefix(text);
        out.append(replacement);
        text.remove_prefix(consumed);
    }
    return out;
}

std::string spmNormalize(std::string_view input, const CharsMap& map, const SpmNormalizerSpec& spec) {
    std::string normalized;
    if (spec.removeExtraWhitespaces) {
        while (!input.empty()) {
            const auto [piece, consumed] = map.normalizePrefix(input);
            if (piece != " ") break;
            input.remove_prefix(consumed);
        }
    }
    if (input.empty()) return normalized;
    const std::string_view space = spec.escapeWhitespaces ? kSpace : std::string_view(" ");
    if (!spec.treatWhitespaceAsSuffix && spec.addDummyPrefix) normalized.append(space);
    bool previousIsSpace = spec.removeExtraWhitespaces;
    while (!input.empty()) {
        auto [piece, consumed] = map.normalizePrefix(input);
        while (previousIsSpace && piece.starts_with(' ')) piece.remove_prefix(1);
        if (!piece.empty()) {
            for (char c : piece) {
                if (spec.escapeWhitespaces && c == ' ') {
                    normalized.append(kSpace);
                } else {
                    normalized.push_back(c);
                }
            }
            previousIsSpace = piece.ends_with(' ');
        }
        input.remove_prefix(consumed);
        if (!spec.removeExtraWhitespaces) previousIsSpace = false;
    }
    if (spec.removeExtraWhitespaces) {
        while (normalized.ends_with(space)) normalized.resize(normalized.size() - space.size());
    }
    if (spec.treatWhitespaceAsSuffix && spec.addDummyPrefix) normalized.append(space);
    return normalized;
}

}  // namespace egmf::tokenizer
