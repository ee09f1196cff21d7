#pragma once
// The Unigram model (SentencePiece's, and tokenizer.json's "Unigram"): the segmentation with the
// highest total piece score, found by Viterbi over the normalised text with float scores, ties
// resolved as Debian's spm_encode resolves them (see encode()). A character
// no piece covers is the unknown token with score min - 10; with byte fallback it becomes its
// UTF-8 bytes as <0xXX> tokens.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace egmf::tokenizer {

struct UnigramPiece {
    std::string text;
    float score = 0.0f;
    bool matchable = true;     ///< false: never produced by segmentation (control, byte, unused pieces)
    bool userDefined = false;  ///< SentencePiece's user-defined symbols win whenever they match
};

struct UnigramOptions {
    std::int32_t unkId = 0;
    bool byteFallback = false;
    bool fuseUnk = false;
    std::optional<float> minScore;  ///< default: the lowest score of the matchable pieces
};

class UnigramModel {
public:
    UnigramModel(std::vector<UnigramPiece> pieces, UnigramOptions options);
    UnigramModel(const UnigramModel&) = delete;  // the lookup points into m_pieces
    UnigramModel& operator=(const UnigramModel&) = delete;

    /// Appends the ids of the normalised `text`.
    void encode(std::string_view text, std::vector<std::int32_t>& ids) const;

private:
    std::vector<UnigramPiece> m_pieces;
    std::unordered_map<std::string_view, std::int32_t> m_lookup;  ///< matchable pieces
    std::size_t m_maxPieceBytes = 0;
    float m_unkScore = 0.0f;
    float m_maxScore = 0.0f;
    std::array<std::int32_t, 256> m_byteIds{};
    UnigramOptions m_options;
};

}  // namespace egmf::tokenizer
