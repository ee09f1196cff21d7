#include "byte_tokenizer.h"

#include <cstdio>

namespace egmf::tokenizer {

std::vector<std::int32_t> ByteTokenizer::encode(std::string_view text) const {
    std::vector<std::int32_t> ids;
    ids.reserve(text.size());
    for (char c : text) {
        ids.push_back(static_cast<std::uint8_t>(c));
    }
    return ids;
}

std::string ByteTokenizer::decode(std::span<const std::int32_t> ids) const {
    std::string bytes;
    for (auto id : ids) {
        if (id >= 0 && id < 256) {
            bytes.push_back(static_cast<char>(id));
        }
    }
    return sanitizeUtf8(bytes);
}

std::string ByteTokenizer::piece(std::int32_t id) const {
    if (id >= 0x20 && id < 0x7F) {
        return std::string(1, static_cast<char>(id));
    }
    switch (id) {
        case kBos:
            return "<bos>";
        case kEos:
            return "<eos>";
        case kPad:
            return "<pad>";
        default:
            break;
    }
    char text[16];
    std::snprintf(text, sizeof text, "<0x%02X>", static_cast<unsigned>(id));
    return text;
}

}  // namespace egmf::tokenizer
