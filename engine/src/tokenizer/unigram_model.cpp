#include "unigram_model.h"

#include <algorithm>
#include <cfloat>

#include "core/utf8.h"
#include "unicode_ops.h"

namespace egmf::tokenizer {

UnigramModel::UnigramModel(std::vector<UnigramPiece> pieces, UnigramOptions options) : m_pieces(std::move(pieces)), m_options(options) {
    float minScore = FLT_MAX;
    m_maxScore = FLT_MIN;
    for (std::size_t id = 0; id < m_pieces.size(); ++id) {
        const auto& piece = m_pieces[id];
        if (piece.matchable && !piece.text.empty()) {
            m_lookup.emplace(piece.text, static_cast<std::int32_t>(id));  // first id wins
            m_maxPieceBytes = std::max(m_maxPieceBytes, piece.text.size());
            if (!piece.userDefined) {
                minScore = std::min(minScore, piece.score);
                m_maxScore = std::max(m_maxScore, piece.score);
            }
        }
    }
    m_unkScore = options.minScore.value_or(minScore == FLT_MAX ? 0.0f : minScore) - 10.0f;
    m_byteIds.fill(-1);
    for (std::size_t id = 0; id < m_pieces.size(); ++id) {
        const auto byte = unicode::parseBytePiece(m_pieces[id].text);
        if (byte && m_byteIds[*byte] < 0) m_byteIds[*byte] = static_cast<std::int32_t>(id);
    }
}

void UnigramModel::encode(std::string_view text, std::vector<std::int32_t>& ids) const {
    // SentencePiece's optimised Viterbi (unigram_model.cc, EncodeOptimized) over byte positions:
    // bestEndingAt[e] is the best path covering text[0, e), starts visited left to right. Its
    // arithmetic is kept exactly, because MELD is full of exact float ties ("...." is "... ." or
    // ". ..."): a piece's score is widened to double there (the ternary with the user-defined
    // bonus is double), added to the float path score in double, compared in double against the
    // stored float, and stored as float. Unknowns stay all-float.
    struct Best {
        std::int32_t id = -1;
        float score = 0.0f;
        int startsAt = -1;
    };
    const int size = static_cast<int>(text.size());
    std::vector<Best> bestEndingAt(static_cast<std::size_t>(size) + 1);
    for (int start = 0; start < size;) {
        const float scoreHere = bestEndingAt[start].score;
        const int charLength = std::min<int>(std::max<std::size_t>(1, utf8::sequenceLength(text.substr(start))), size - start);
        bool hasSingleChar = false;
        auto offer = [&](int end, std::int32_t id, auto candidate) {
            auto& target = bestEndingAt[end];
            if (target.startsAt == -1 || candidate > target.score) target = {id, static_cast<float>(candidate), start};
        };
        const int longest = std::min<int>(static_cast<int>(m_maxPieceBytes), size - start);
        for (int length = 1; length <= longest; ++length) {
            const auto found = m_lookup.find(text.substr(start, length));
            if (found == m_lookup.end()) continue;
            const auto& piece = m_pieces[found->second];
            // User-defined symbols get a bonus so that they always win.
            const double score = piece.userDefined ? length * static_cast<double>(m_maxScore) - 0.1 : piece.score;
            offer(start + length, found->second, score + scoreHere);
            hasSingleChar = hasSingleChar || length == charLength;
        }
        if (!hasSingleChar) offer(start + charLength, m_options.unkId, m_unkScore + scoreHere);
        start += charLength;
    }
    std::vector<std::pair<int, int>> path;  // (start, end)
    std::vector<std::int32_t> pathIds;
    for (int end = size; end > 0; end = bestEndingAt[end].startsAt) {
        path.emplace_back(bestEndingAt[end].startsAt, end);
        pathIds.push_back(bestEndingAt[end].id);
    }
    std::reverse(path.begin(), path.end());
    std::reverse(pathIds.begin(), pathIds.end());
    for (std::size_t k = 0; k < path.size(); ++k) {
        const auto [start, end] = path[k];
        const auto id = pathIds[k];
        if (id != m_options.unkId) {
            ids.push_back(id);
            continue;
        }
        const auto surface = text.substr(start, end - start);
        bool bytesKnown = m_options.byteFallback;
        for (unsigned char byte : surface) bytesKnown = bytesKnown && m_byteIds[byte] >= 0;
        if (bytesKnown) {
            for (unsigned char byte : surface) ids.push_back(m_byteIds[byte]);
        } else if (!(m_options.fuseUnk && !ids.empty() && ids.back() == m_options.unkId)) {
            ids.push_back(m_options.unkId);
        }
    }
}

}  // namespace egmf::tokenizer
