#include "sentencepiece_tokenizer.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <queue>
#include <sstream>

#include "core/utf8.h"
#include "unicode_ops.h"

namespace egmf::tokenizer {
namespace {

using Type = SpmPiece::Type;
constexpr std::string_view kSpace = "\xE2\x96\x81";

}  // namespace

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return makeError(ErrorCode::NotFound, file.string() + ": cannot open the SentencePiece model");
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    return fromBytes(bytes.str(), file.string());
}

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::fromBytes(std::string_view bytes, const std::string& sourceName) {
    auto model = parseSpmModel(bytes, sourceName);
    if (!model.ok()) return model.error();
    auto map = CharsMap::parse(model->precompiledCharsmap, sourceName);
    if (!map.ok()) return map.error();
    const bool hasUnknown =
        std::any_of(model->pieces.begin(), model->pieces.end(), [](const SpmPiece& p) { return p.type == Type::Unknown; });
    if (!hasUnknown) {
        return makeError(ErrorCode::Corrupt, sourceName +
                                                 ": the model has no unknown piece; it is not a usable "
                                                 "SentencePiece model");
    }
    return std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer(std::move(*model), std::move(*map)));
}

SentencePieceTokenizer::SentencePieceTokenizer(SpmModelProto model, CharsMap map) : m_model(std::move(model)), m_map(std::move(map)) {
    m_spec = {m_model.addDummyPrefix, m_model.removeExtraWhitespaces, m_model.escapeWhitespaces, m_model.treatWhitespaceAsSuffix};
    m_byteIds.fill(-1);
    std::vector<UnigramPiece> unigramPieces;
    for (std::size_t i = 0; i < m_model.pieces.size(); ++i) {
        const auto& piece = m_model.pieces[i];
        const auto id = static_cast<std::int32_t>(i);
        const bool normalLike = piece.type == Type::Normal || piece.type == Type::UserDefined || piece.type == Type::Unused;
        (normalLike ? m_pieceIds : m_reservedIds).emplace(piece.text, id);
        if (piece.type == Type::Unknown) m_unkId = id;
        if (const auto byte = unicode::parseBytePiece(piece.text); piece.type == Type::Byte && byte) m_byteIds[*byte] = id;
        unigramPieces.push_back(
            {piece.text, piece.score, piece.type == Type::Normal || piece.type == Type::UserDefined, piece.type == Type::UserDefined});
    }
    auto control = [&](const std::string& text) {
        const auto found = m_reservedIds.find(text);
        return found != m_reservedIds.end() && m_model.pieces[found->second].type == Type::Control ? found->second : -1;
    };
    m_bosId = control(m_model.bosPiece);
    if (m_model.modelType == SpmModelProto::ModelType::Unigram) {
        // Byte fallback happens here, after segmentation, so the model itself does not do it.
        // SentencePieceProcessor fuses runs of unknowns (without byte fallback) into one piece.
        m_unigram = std::make_unique<UnigramModel>(std::move(unigramPieces), UnigramOptions{m_unkId, m_model.byteFallback, true, {}});
    }
}

std::int32_t SentencePieceTokenizer::pieceToId(std::string_view piece) const {
    if (auto found = m_reservedIds.find(piece); found != m_reservedIds.end()) return found->second;
    if (auto found = m_pieceIds.find(piece); found != m_pieceIds.end()) return found->second;
    return m_unkId;
}

void SentencePieceTokenizer::appendPiece(std::string_view piece, std::int32_t id, std::vector<std::int32_t>& ids) const {
    if (id != m_unkId || !m_model.byteFallback) {
        // Runs of unknowns fuse into one, as SentencePieceProcessor does.
        if (!(id == m_unkId && !ids.empty() && ids.back() == m_unkId)) ids.push_back(id);
        return;
    }
    for (unsigned char byte : piece) {
        ids.push_back(m_byteIds[byte] >= 0 ? m_byteIds[byte] : m_unkId);
    }
}

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text) const {
    const auto normalized = spmNormalize(text, m_map, m_spec);
    std::vector<std::int32_t> ids;
    if (normalized.empty()) return ids;
    if (m_unigram) {
        m_unigram->encode(normalized, ids);
    } else {
        encodeBpe(normalized, ids);
    }
    return ids;
}

std::vector<std::int32_t> SentencePieceTokenizer::encodeWithSpecials(std::string_view text) const {
    auto ids = encode(text);
    if (m_bosId >= 0) ids.insert(ids.begin(), m_bosId);
    return ids;
}

void SentencePieceTokenizer::encodeBpe(std::string_view normalized, std::vector<std::int32_t>& ids) const {
    // SentencePiece's bpe_model.cc: symbols start as characters; the adjacent pair whose
    // concatenation is the highest-scoring piece merges first (ties: the leftmost).
    struct Symbol {
        int prev, next;
        std::string_view piece;
    };
    std::vector<Symbol> symbols;
    for (auto point : unicode::codePoints(normalized)) {
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, index + 1, point});
    }
    symbols.back().next = -1;
    struct Pair {
        float score;
        int left, right;
        std::size_t size;
    };
    auto worse = [](const Pair& a, const Pair& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
    std::priority_queue<Pair, std::vector<Pair>, decltype(worse)> agenda(worse);
    auto maybeAdd = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const std::string_view merged(symbols[left].piece.data(), symbols[left].piece.size() + symbols[right].piece.size());
        const auto found = m_pieceIds.find(merged);
        if (found == m_pieceIds.end()) return;
        agenda.push({m_model.pieces[found->second].score, left, right, merged.size()});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) maybeAdd(i - 1, i);
    while (!agenda.empty()) {
        const auto top = agenda.top();
        agenda.pop();
        auto& left = symbols[top.left];
        auto& right = symbols[top.right];
        if (left.piece.empty() || right.piece.empty() || left.piece.size() + right.piece.size() != top.size) continue;
        left.piece = std::string_view(left.piece.data(), left.piece.size() + right.piece.size());
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = top.left;
        right.piece = {};
        maybeAdd(left.prev, top.left);
        maybeAdd(top.left, left.next);
    }
    // Unused pieces are split back into the pair that made them (SentencePiece's resegment).
    std::function<void(std::string_view)> resegment = [&](std::string_view piece) {
        const auto id = pieceToId(piece);
        if (id == m_unkId || m_model.pieces[id].type != Type::Unused) {
            appendPiece(piece, id, ids);
            return;
        }
        for (std::size_t split = 1; split < piece.size(); ++split) {
            const auto a = piece.substr(0, split), b = piece.substr(split);
            if (m_pieceIds.count(a) && m_pieceIds.count(b)) {
                resegment(a);
                resegment(b);
                return;
            }
        }
        appendPiece(piece, id, ids);
    };
    for (int i = 0; i >= 0; i = symbols[i].next) resegment(symbols[i].piece);
}

std::string SentencePieceTokenizer::piece(std::int32_t id) const {
    return id >= 0 && id < vocabSize() ? m_model.pieces[id].text : std::string("<invalid>");
}

std::string SentencePieceTokenizer::decode(std::span<const std::int32_t> ids) const {
    std::string bytes;
    bool first = true;
    for (auto id : ids) {
        if (id < 0 || id >= vocabSize()) continue;
        const auto& piece = m_model.pieces[id];
        if (piece.type == Type::Control || piece.type == Type::Unknown) {
            if (piece.type == Type::Unknown) bytes += " \xE2\x81\x87 ";  // SentencePiece shows unknowns as " ⁇ "
            first = false;
            continue;
        }
        if (piece.type == Type::Byte) {
            bytes.push_back(static_cast<char>(unicode::parseBytePiece(piece.text).value_or('?')));
            first = false;
            continue;
        }
        auto text = unicode::replaceAll(piece.text, kSpace, " ");
        if (first && m_spec.addDummyPrefix && !m_spec.treatWhitespaceAsSuffix && text.starts_with(' ')) text.erase(0, 1);
        bytes += text;
        first = false;
    }
    return sanitizeUtf8(bytes);
}

}  // namespace egmf::tokenizer
