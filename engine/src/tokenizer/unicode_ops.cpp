#include "unicode_ops.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "core/utf8.h"

namespace egmf::tokenizer::unicode {

std::vector<std::string_view> codePoints(std::string_view text) {
    std::vector<std::string_view> points;
    points.reserve(text.size());
    while (!text.empty()) {
        const std::size_t length = std::max<std::size_t>(1, utf8::sequenceLength(text));
        points.push_back(text.substr(0, length));
        text.remove_prefix(length);
    }
    return points;
}

char32_t decodeOne(std::string_view text, std::size_t& length) {
    length = utf8::sequenceLength(text);
    if (length == 0) {
        length = text.empty() ? 0 : 1;
        return 0xFFFD;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    if (length == 1) return p[0];
    char32_t c = p[0] & (0xFF >> (length + 1));
    for (std::size_t i = 1; i < length; ++i) c = (c << 6) | (p[i] & 0x3F);
    return c;
}

std::string encodeOne(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

std::string normalize(std::string_view text, Form form) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = nullptr;
    switch (form) {
        case Form::NFC:
            normalizer = icu::Normalizer2::getNFCInstance(status);
            break;
        case Form::NFD:
            normalizer = icu::Normalizer2::getNFDInstance(status);
            break;
        case Form::NFKC:
            normalizer = icu::Normalizer2::getNFKCInstance(status);
            break;
        case Form::NFKD:
            normalizer = icu::Normalizer2::getNFKDInstance(status);
            break;
    }
    const auto source = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    // Fast path: most text is already normalised.
    if (U_SUCCESS(status) && normalizer->isNormalized(source, status) && U_SUCCESS(status)) {
        return utf8::isValid(text) ? std::string(text) : utf8::sanitize(text);
    }
    status = U_ZERO_ERROR;
    const auto result = normalizer->normalize(source, status);
    std::string out;
    if (U_FAILURE(status)) {
        return utf8::sanitize(text);
    }
    result.toUTF8String(out);
    return out;
}

std::string toLower(std::string_view text) {
    auto value = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    value.toLower(icu::Locale::getRoot());
    std::string out;
    value.toUTF8String(out);
    return out;
}

bool isJsWhitespace(char32_t c) {
    switch (c) {
        case 0x09:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x0D:
        case 0x20:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
        case 0xFEFF:
            return true;
        default:
            return c >= 0x2000 && c <= 0x200A;
    }
}

std::string_view trimStartJs(std::string_view text) {
    while (!text.empty()) {
        std::size_t length = 0;
        if (!isJsWhitespace(decodeOne(text, length))) break;
        text.remove_prefix(length);
    }
    return text;
}

std::string_view trimEndJs(std::string_view text) {
    while (!text.empty()) {
        // Step back to the start of the last code point.
        std::size_t start = text.size() - 1;
        while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80 && text.size() - start < 4) --start;
        std::size_t length = 0;
        const char32_t c = decodeOne(text.substr(start), length);
        if (start + length != text.size() || !isJsWhitespace(c)) break;
        text.remove_suffix(length);
    }
    return text;
}

std::optional<unsigned char> parseBytePiece(std::string_view piece) {
    if (piece.size() != 6 || !piece.starts_with("<0x") || piece[5] != '>') return std::nullopt;
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    const int high = hex(piece[3]), low = hex(piece[4]);
    if (high < 0 || low < 0) return std::nullopt;
    return static_cast<unsigned char>(high * 16 + low);
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t position = 0;
    while (true) {
        const auto found = text.find(from, position);
        if (found == std::string_view::npos) break;
        out.append(text.substr(position, found - position));
        out.append(to);
        position = found + from.size();
    }
    out.append(text.substr(position));
    return out;
}

}  // namespace egmf::tokenizer::unicode
