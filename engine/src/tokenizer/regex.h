#pragma once
// The split patterns of tokenizer.json run by PCRE2 (UTF + UCP, JIT when available), which takes
// them as written: \p{L}, (?!\S), (?i:...). std::regex cannot. Matching follows JavaScript's
// matchAll, the reference implementations' semantics: after an empty match the search moves on
// by one code point.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "egmf/result.h"

namespace egmf::tokenizer {

class Regex {
public:
    /// `sourceName` (the tokenizer file) goes into the error message.
    static Result<Regex> compile(const std::string& pattern, const std::string& sourceName);
    /// A pattern matching `literal` exactly.
    static Result<Regex> literal(std::string_view literal, const std::string& sourceName);

    Regex(Regex&&) noexcept;
    Regex& operator=(Regex&&) noexcept;
    ~Regex();

    /// [begin, end) byte ranges of every non-overlapping match, left to right.
    std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view text) const;

    /// Text between and including matches, as JavaScript's regexSplit in the references: gaps
    /// and (non-empty) matches in order.
    std::vector<std::string> splitKeepingMatches(std::string_view text) const;

    std::string replaceAll(std::string_view text, std::string_view replacement) const;

private:
    struct Compiled;
    explicit Regex(std::unique_ptr<Compiled> compiled);
    std::unique_ptr<Compiled> m_compiled;
};

}  // namespace egmf::tokenizer
