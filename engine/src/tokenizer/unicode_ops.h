#pragma once
// The Unicode operations tokenizers need, on UTF-8 strings: code-point splitting, ICU
// normalisation (NFC/NFKC/NFD/NFKD), and JavaScript's notion of whitespace for trimming (the
// reference implementations are JavaScript).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace egmf::tokenizer::unicode {

/// The code points of `text` as byte slices; a malformed byte is a slice of its own.
std::vector<std::string_view> codePoints(std::string_view text);

/// Decodes one code point at text[0] (U+FFFD for a malformed byte); `length` gets its size.
char32_t decodeOne(std::string_view text, std::size_t& length);

std::string encodeOne(char32_t codePoint);

enum class Form { NFC, NFD, NFKC, NFKD };
/// ICU normalisation; malformed UTF-8 becomes U+FFFD first.
std::string normalize(std::string_view text, Form form);

/// String.prototype.toLowerCase (full Unicode mapping, as ICU's root locale).
std::string toLower(std::string_view text);

/// JavaScript's WhiteSpace + LineTerminator (what String.prototype.trim removes).
bool isJsWhitespace(char32_t c);
std::string_view trimStartJs(std::string_view text);
std::string_view trimEndJs(std::string_view text);

/// The byte of a "<0xAB>" piece (exactly two upper- or lower-case hex digits), else nullopt.
std::optional<unsigned char> parseBytePiece(std::string_view piece);

/// Replaces every occurrence of `from` (non-empty) with `to`.
std::string replaceAll(std::string_view text, std::string_view from, std::string_view to);

}  // namespace egmf::tokenizer::unicode
