#pragma once
// ChatGLM3's tokenizer (its tokenization_chatglm.py): a SentencePiece model, and nine special
// tokens numbered in code right after the model's pieces, in this order:
//   [MASK] [gMASK] [sMASK] sop eop <|system|> <|user|> <|assistant|> <|observation|>
// (with ChatGLM3's 64,789 pieces: [gMASK] 64790, sop 64792). Every prompt starts with [gMASK] sop,
// as the model's own build_inputs_with_special_tokens puts them. In text, the bracketed tokens
// and the role tokens are cut out and mapped to their ids, the pieces between encoded one by one
// (ChatGLM3's encode_special_tokens); the bare words "sop" and "eop" stay words, so an utterance
// that says "soprano" is not split.

#include <array>
#include <filesystem>
#include <memory>

#include "sentencepiece_tokenizer.h"

namespace egmf::tokenizer {

class ChatGlmTokenizer final : public Tokenizer {
public:
    static Result<std::unique_ptr<ChatGlmTokenizer>> load(const std::filesystem::path& file);

    std::vector<std::int32_t> encode(std::string_view text) const override;
    /// [gMASK] sop, then the text.
    std::vector<std::int32_t> encodeWithSpecials(std::string_view text) const override;
    std::vector<std::int32_t> promptPrefix() const override;
    std::string decode(std::span<const std::int32_t> ids) const override;
    std::string piece(std::int32_t id) const override;
    std::int64_t vocabSize() const override { return m_pieces->vocabSize() + static_cast<std::int64_t>(kSpecialTokens.size()); }

    static constexpr std::array<std::string_view, 9> kSpecialTokens{
        "[MASK]", "[gMASK]", "[sMASK]", "sop", "eop", "<|system|>", "<|user|>", "<|assistant|>", "<|observation|>"};
    /// The id of special token `name` (one of kSpecialTokens).
    std::int32_t specialId(std::string_view name) const;

private:
    explicit ChatGlmTokenizer(std::unique_ptr<SentencePieceTokenizer> pieces) : m_pieces(std::move(pieces)) {}
    std::unique_ptr<SentencePieceTokenizer> m_pieces;
};

}  // namespace egmf::tokenizer
