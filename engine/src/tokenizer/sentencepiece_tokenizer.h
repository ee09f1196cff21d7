#pragma once
// SentencePiece .model files (unigram and bpe, with or without byte fallback), encoded as the
// library's SentencePieceProcessor does: normalise (precompiled map + whitespace rules), segment
// (Viterbi for unigram; score-ordered merges of adjacent symbols for bpe), then unknown pieces to
// <0xXX> bytes when the model has byte fallback. Read and run without the library itself.

#include <filesystem>
#include <memory>
#include <unordered_map>

#include "egmf/app/tokenizer.h"
#include "spm_normalizer.h"
#include "spm_proto.h"
#include "unigram_model.h"

namespace egmf::tokenizer {

class SentencePieceTokenizer final : public Tokenizer {
public:
    static Result<std::unique_ptr<SentencePieceTokenizer>> load(const std::filesystem::path& file);
    static Result<std::unique_ptr<SentencePieceTokenizer>> fromBytes(std::string_view bytes, const std::string& sourceName);

    std::vector<std::int32_t> encode(std::string_view text) const override;
    /// BOS first, as Llama-style SentencePiece models are fed (spm_encode --extra_options=bos).
    std::vector<std::int32_t> encodeWithSpecials(std::string_view text) const override;
    std::string decode(std::span<const std::int32_t> ids) const override;
    std::string piece(std::int32_t id) const override;
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_model.pieces.size()); }

private:
    SentencePieceTokenizer(SpmModelProto model, CharsMap map);
    void encodeBpe(std::string_view normalized, std::vector<std::int32_t>& ids) const;
    std::int32_t pieceToId(std::string_view piece) const;
    void appendPiece(std::string_view piece, std::int32_t id, std::vector<std::int32_t>& ids) const;

    SpmModelProto m_model;
    CharsMap m_map;
    SpmNormalizerSpec m_spec;
    std::unique_ptr<UnigramModel> m_unigram;
    std::unordered_map<std::string_view, std::int32_t> m_pieceIds;     ///< normal, user-defined, unused
    std::unordered_map<std::string_view, std::int32_t> m_reservedIds;  ///< control, unknown, byte
    std::array<std::int32_t, 256> m_byteIds{};
    std::int32_t m_unkId = 0;
    std::int32_t m_bosId = -1;
};

}  // namespace egmf::tokenizer
