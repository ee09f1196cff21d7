#include "utf8.h"

namespace egmf::utf8 {

std::size_t sequenceLength(std::string_view text) {
    if (text.empty()) {
        return 0;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    if (p[0] < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    unsigned codePoint = 0;
    unsigned minimum = 0;
    if ((p[0] & 0xE0) == 0xC0) {
        length = 2, codePoint = p[0] & 0x1F, minimum = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        length = 3, codePoint = p[0] & 0x0F, minimum = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        length = 4, codePoint = p[0] & 0x07, minimum = 0x10000;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        codePoint = (codePoint << 6) | (p[i] & 0x3F);
    }
    if (codePoint < minimum || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
        return 0;
    }
    return length;
}

bool isValid(std::string_view text) {
    while (!text.empty()) {
        const auto length = sequenceLength(text);
        if (length == 0) {
            return false;
        }
        text.remove_prefix(length);
    }
    return true;
}

std::string sanitize(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto length = sequenceLength(text);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            text.remove_prefix(1);
        } else {
            out.append(text.substr(0, length));
            text.remove_prefix(length);
        }
    }
    return out;
}

}  // namespace egmf::utf8
