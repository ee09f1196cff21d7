#include "chatglm_tokenizer.h"

#include <algorithm>

namespace egmf::tokenizer {
namespace {

/// The special tokens recognised in text: the bracketed and role ones, never plain words.
bool cutFromText(std::string_view token) {
    return token.front() == '[' || token.front() == '<';
}

}  // namespace

Result<std::unique_ptr<ChatGlmTokenizer>> ChatGlmTokenizer::load(const std::filesystem::path& file) {
    auto pieces = SentencePieceTokenizer::load(file);
    if (!pieces) return pieces.error();
    return std::unique_ptr<ChatGlmTokenizer>(new ChatGlmTokenizer(std::move(*pieces)));
}

std::int32_t ChatGlmTokenizer::specialId(std::string_view name) const {
    const auto at = std::find(kSpecialTokens.begin(), kSpecialTokens.end(), name);
    return static_cast<std::int32_t>(m_pieces->vocabSize() + (at - kSpecialTokens.begin()));
}

std::vector<std::int32_t> ChatGlmTokenizer::encode(std::string_view text) const {
    std::vector<std::int32_t> ids;
    auto encodePieces = [&](std::string_view segment) {
        const auto segmentIds = m_pieces->encode(segment);
        ids.insert(ids.end(), segmentIds.begin(), segmentIds.end());
    };
    std::size_t start = 0, at = 0;
    while (at < text.size()) {
        std::string_view found;
        for (const auto token : kSpecialTokens) {
            if (cutFromText(token) && text.substr(at).starts_with(token)) found = token;
        }
        if (found.empty()) {
            ++at;
            continue;
        }
        if (at > start) encodePieces(text.substr(start, at - start));
        ids.push_back(specialId(found));
        at += found.size();
        start = at;
    }
    if (start < text.size()) encodePieces(text.substr(start));
    return ids;
}

std::vector<std::int32_t> ChatGlmTokenizer::promptPrefix() const {
    return {specialId("[gMASK]"), specialId("sop")};
}

std::vector<std::int32_t> ChatGlmTokenizer::encodeWithSpecials(std::string_view text) const {
    auto ids = promptPrefix();
    const auto body = encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    return ids;
}

std::string ChatGlmTokenizer::decode(std::span<const std::int32_t> ids) const {
    return m_pieces->decode(ids);  // skips the special ids, which lie past its pieces
}

std::string ChatGlmTokenizer::piece(std::int32_t id) const {
    const auto special = static_cast<std::int64_t>(id) - m_pieces->vocabSize();
    if (special >= 0 && special < static_cast<std::int64_t>(kSpecialTokens.size())) return std::string(kSpecialTokens[special]);
    return m_pieces->piece(id);
}

}  // namespace egmf::tokenizer
