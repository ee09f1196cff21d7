#include "regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/utf8.h"

namespace egmf::tokenizer {

struct Regex::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

Regex::Regex(std::unique_ptr<Compiled> compiled) : m_compiled(std::move(compiled)) {}
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

Result<Regex> Regex::compile(const std::string& pattern, const std::string& sourceName) {
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    // MATCH_INVALID_UTF: text is not trusted to be valid UTF-8; such bytes never match \p{..}.
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errorCode, &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof message);
        return makeError(ErrorCode::Corrupt, sourceName + ": the pattern \"" + pattern + "\" does not compile (" +
                                                 reinterpret_cast<const char*>(message) + " at offset " + std::to_string(errorOffset) +
                                                 ")");
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional: interpretation is the fallback
    auto compiled = std::make_unique<Compiled>();
    compiled->code = code;
    return Regex(std::move(compiled));
}

Result<Regex> Regex::literal(std::string_view literal, const std::string& sourceName) {
    return compile("\\Q" + std::string(literal) + "\\E", sourceName);
}

std::vector<std::pair<std::size_t, std::size_t>> Regex::findAll(std::string_view text) const {
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(m_compiled->code, nullptr);
    std::size_t start = 0;
    while (start <= text.size()) {
        const int rc = pcre2_match(m_compiled->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0, data, nullptr);
        if (rc < 0) {
            break;  // no match (or a resource limit: treat the rest as unmatched)
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
        const std::size_t begin = ovector[0], end = ovector[1];
        matches.emplace_back(begin, end);
        if (end > begin) {
            start = end;
        } else if (begin >= text.size()) {
            break;
        } else {
            start = begin + std::max<std::size_t>(1, utf8::sequenceLength(text.substr(begin)));
        }
    }
    pcre2_match_data_free(data);
    return matches;
}

std::vector<std::string> Regex::splitKeepingMatches(std::string_view text) const {
    std::vector<std::string> pieces;
    std::size_t previous = 0;
    for (const auto& [begin, end] : findAll(text)) {
        if (previous < begin) pieces.emplace_back(text.substr(previous, begin - previous));
        if (end > begin) pieces.emplace_back(text.substr(begin, end - begin));
        previous = end;
    }
    if (previous < text.size()) pieces.emplace_back(text.substr(previous));
    return pieces;
}

std::string Regex::replaceAll(std::string_view text, std::string_view replacement) const {
    std::string out;
    std::size_t previous = 0;
    for (const auto& [begin, end] : findAll(text)) {
        out.append(text.substr(previous, begin - previous));
        out.append(replacement);
        previous = end;
    }
    out.append(text.substr(previous));
    return out;
}

}  // namespace egmf::tokenizer
