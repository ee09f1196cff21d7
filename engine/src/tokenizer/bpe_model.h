#pragma once
// The BPE model of tokenizer.json: a word (one pre-tokenized piece) starts as its code points
// and the adjacent pair with the lowest merge rank is merged until none is left (ties: the
// leftmost), as Hugging Face tokenizers and transformers.js do. Pieces missing from the vocabulary
// become <0xXX> byte tokens (byte_fallback) or the unknown token; runs of unknowns fuse into one
// when fuse_unk says so. With ignore_merges a word already in the vocabulary is taken whole.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace egmf::tokenizer {

struct BpeOptions {
    std::optional<std::int32_t> unkId;
    bool byteFallback = false;
    bool fuseUnk = false;
    bool ignoreMerges = false;
    std::string endOfWordSuffix;
};

class BpeModel {
public:
    BpeModel(std::unordered_map<std::string, std::int32_t> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
             BpeOptions options);

    /// Appends the ids of `words` (one pre-tokenized section) to `ids`.
    void encode(const std::vector<std::string>& words, std::vector<std::int32_t>& ids) const;

    const std::unordered_map<std::string, std::int32_t>& vocab() const { return m_vocab; }

private:
    void encodeWord(std::string_view word, std::vector<std::int32_t>& ids) const;
    std::optional<int> rank(std::string_view left, std::string_view right) const;

    std::unordered_map<std::string, std::int32_t> m_vocab;
    std::unordered_map<std::string, int> m_ranks;  ///< key: left + '\xFF' + right (0xFF is never UTF-8)
    std::array<std::int32_t, 256> m_byteIds{};     ///< <0xXX> ids, -1 where missing
    BpeOptions m_options;
};

}  // namespace egmf::tokenizer
