// Tokenizer files that are broken or hostile give an error naming the file, never a crash.
#include <fstream>

#include <gtest/gtest.h>

#include "egmf/paths.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "tokenizer/unicode_ops.h"

namespace egmf::tokenizer {
namespace {

TEST(TokenizerFiles, brokenTokenizerJson_isAnErrorNamingTheFile) {
    const char* cases[] = {
        "not json",
        R"({"model": {"type": "WordPiece", "vocab": {}}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["ab"]}})",
        R"({"model": {"type": "BPE", "vocab": {"a": -5}, "merges": []}})",
        R"({"model": {"type": "Unigram", "vocab": [["a", 0.0]], "unk_id": 7}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA"}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": "yes"}, "added_tokens": [{"id": "x"}]})",
        // Found by tools/fuzz: numbers beyond an int, which nlohmann's get<int>() converts with
        // undefined behaviour (a Strip decoder's stop; a special token's ids in the post-processor).
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "decoder": {"type": "Strip", "content": " ", "start": 1, "stop": 2.2e58}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "decoder": {"type": "Strip", "content": " ", "start": -3}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"<s>": {"ids": [4e40]}}}})",
    };
    for (const char* text : cases) {
        auto tokenizer = HfTokenizer::fromJson(text, "broken/tokenizer.json");
        ASSERT_FALSE(tokenizer.ok()) << text;
        EXPECT_NE(tokenizer.error().message.find("broken/tokenizer.json"), std::string::npos) << tokenizer.error().message;
    }
}

TEST(TokenizerFiles, brokenSentencePieceModel_isAnErrorNamingTheFile) {
    const std::string cases[] = {"", "\x0a\x05\x0a\x03", std::string("\x0a\xff\xff\xff\xff\x0f", 6), "\x13garbage",
                                 "\x0a\x03\x0a\x01"
                                 "a"};  // one normal piece but no unknown piece
    for (const auto& bytes : cases) {
        auto tokenizer = SentencePieceTokenizer::fromBytes(bytes, "broken/spm.model");
        ASSERT_FALSE(tokenizer.ok());
        EXPECT_NE(tokenizer.error().message.find("broken/spm.model"), std::string::npos) << tokenizer.error().message;
    }
    auto missing = loadTokenizerFile("/nonexistent/tokenizer.model");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("/nonexistent/tokenizer.model"), std::string::npos);
}

TEST(TokenizerFiles, bytePieces_needExactlyTwoHexDigits) {
    EXPECT_EQ(unicode::parseBytePiece("<0x0A>"), 0x0A);
    EXPECT_EQ(unicode::parseBytePiece("<0xff>"), 0xFF);
    EXPECT_FALSE(unicode::parseBytePiece("<0x-B>"));
    EXPECT_FALSE(unicode::parseBytePiece("<0x1>"));
    EXPECT_FALSE(unicode::parseBytePiece("<0x123>"));
}

TEST(TokenizerFiles, bpeAndAddedTokens_onAHandWrittenFile) {
    // Merges as strings and as pairs in one file; an added token with lstrip; a BOS template.
    const char* text = R"({
      "added_tokens": [{"id": 6, "content": "<|end|>", "special": true, "lstrip": true}],
      "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed"},
      "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|end|>"}}, {"Sequence": {"id": "A"}}],
                         "special_tokens": {"<|end|>": {"id": "<|end|>", "ids": [6]}}},
      "model": {"type": "BPE", "unk_token": "?", "fuse_unk": true,
                "vocab": {"a": 0, "b": 1, "ab": 2, "abb": 3, "?": 4, "c": 5},
                "merges": ["a b", ["ab", "b"]]}})";
    auto tokenizer = HfTokenizer::fromJson(text, "hand.json");
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message;
    EXPECT_EQ((*tokenizer)->encode("abb ab  a"), (std::vector<std::int32_t>{3, 2, 0}));
    EXPECT_EQ((*tokenizer)->encode("xyz c"), (std::vector<std::int32_t>{4, 5})) << "unknowns fuse into one";
    EXPECT_EQ((*tokenizer)->encode("ab  <|end|>b"), (std::vector<std::int32_t>{2, 6, 1}));
    EXPECT_EQ((*tokenizer)->encodeWithSpecials("c"), (std::vector<std::int32_t>{6, 5}));
    EXPECT_EQ((*tokenizer)->decode(std::vector<std::int32_t>{6, 3, 5}), "abbc") << "specials are skipped";
}

}  // namespace
}  // namespace egmf::tokenizer
