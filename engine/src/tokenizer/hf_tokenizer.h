#pragma once
// Hugging Face tokenizer.json: added tokens are cut out of the text first (leftmost, longest),
// then each section between them is normalised, pre-tokenised and encoded by the model (BPE or
// Unigram). With specials, the post-processor's template adds BOS/EOS. Decoding maps ids back to
// tokens and runs the decoder chain, skipping special tokens.

#include <filesystem>
#include <memory>
#include <unordered_map>

#include "bpe_model.h"
#include "egmf/app/tokenizer.h"
#include "hf_components.h"
#include "unigram_model.h"

namespace egmf::tokenizer {

class HfTokenizer final : public Tokenizer {
public:
    static Result<std::unique_ptr<HfTokenizer>> load(const std::filesystem::path& file);
    static Result<std::unique_ptr<HfTokenizer>> fromJson(std::string_view text, const std::string& sourceName);
    ~HfTokenizer() override;

    std::vector<std::int32_t> encode(std::string_view text) const override;
    std::vector<std::int32_t> encodeWithSpecials(std::string_view text) const override;
    std::string decode(std::span<const std::int32_t> ids) const override;
    std::string piece(std::int32_t id) const override;
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_idToToken.size()); }

private:
    struct AddedToken {
        std::string content;
        std::int32_t id = 0;
        bool special = false, lstrip = false, rstrip = false;
    };
    struct TrieNode;
    HfTokenizer();
    static Result<std::unique_ptr<HfTokenizer>> build(std::string_view text, const std::string& sourceName);
    std::vector<std::string_view> splitOnAddedTokens(std::string_view text) const;

    std::vector<AddedToken> m_added;
    std::unordered_map<std::string, std::size_t> m_addedByContent;
    std::unique_ptr<TrieNode> m_addedTrie;
    std::unique_ptr<Normalizer> m_normalizer;
    std::unique_ptr<PreTokenizer> m_preTokenizer;
    std::unique_ptr<Decoder> m_decoder;
    std::unique_ptr<BpeModel> m_bpe;
    std::unique_ptr<UnigramModel> m_unigram;
    std::vector<std::string> m_idToToken;
    std::vector<bool> m_isSpecial;
    std::vector<std::int32_t> m_prefixIds, m_suffixIds;  ///< the post-processor's single-sequence template
};

}  // namespace egmf::tokenizer
