#pragma once
// The byte tokenizer: ids 0-255 are the UTF-8 bytes, then <bos> 256, <eos> 257, <pad> 258. Small,
// exact and language-neutral (Chinese and emoji are just bytes), which makes it the tokenizer of
// tiny test and demo models; real LLMs bring their own tokenizer.json or SentencePiece model.

#include "egmf/app/tokenizer.h"

namespace egmf::tokenizer {

class ByteTokenizer final : public Tokenizer {
public:
    static constexpr std::int32_t kBos = 256;
    static constexpr std::int32_t kEos = 257;
    static constexpr std::int32_t kPad = 258;
    static constexpr std::int64_t kMinVocab = 259;

    std::vector<std::int32_t> encode(std::string_view text) const override;
    std::string decode(std::span<const std::int32_t> ids) const override;
    std::string piece(std::int32_t id) const override;
    std::int64_t vocabSize() const override { return kMinVocab; }
};

}  // namespace egmf::tokenizer
