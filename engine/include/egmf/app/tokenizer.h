#pragma once
// The tokenizer interface the model and the prompt builder use. Torch-free: tokenizers are
// parsed and tested without LibTorch (and SentencePiece's own library cannot share a process
// with it, TOOLCHAIN.md trap 2, so every format is read by our own code).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::tokenizer {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    /// Ids of `text`, without special tokens.
    virtual std::vector<std::int32_t> encode(std::string_view text) const = 0;
    /// Ids of `text` with the special tokens the tokenizer's own post-processing adds (BOS...).
    virtual std::vector<std::int32_t> encodeWithSpecials(std::string_view text) const { return encode(text); }
    /// The tokens every prompt starts with when the model family fixes them (ChatGLM3: [gMASK] sop);
    /// empty: the prompt starts with the LLM's BOS, if it has one.
    virtual std::vector<std::int32_t> promptPrefix() const { return {}; }
    /// Text of `ids`; special tokens are skipped; invalid UTF-8 becomes U+FFFD.
    virtual std::string decode(std::span<const std::int32_t> ids) const = 0;
    /// A display form of one token (for axis labels).
    virtual std::string piece(std::int32_t id) const = 0;
    virtual std::int64_t vocabSize() const = 0;
};

/// Builds the tokenizer a manifest names; files are relative to `checkpointDir`.
Result<std::unique_ptr<Tokenizer>> makeTokenizer(const TokenizerConfig& config, const std::filesystem::path& checkpointDir,
                                                 std::int64_t modelVocabSize);

/// The tokenizer of a checkpoint: makeTokenizer for a native one; for a Hugging Face one
/// (manifest.huggingFace, resolved by checkpoint/huggingface_layout.h) the file of its base model.
Result<std::unique_ptr<Tokenizer>> makeCheckpointTokenizer(const Manifest& manifest, const std::filesystem::path& checkpointDir);

/// Reads a tokenizer file: a Hugging Face tokenizer.json (by its .json extension) or a
/// SentencePiece .model; with `kind` "chatglm", the SentencePiece model with ChatGLM3's special
/// tokens after it. Builds without PCRE2/ICU (the GPU machine's model-only build) refuse all.
Result<std::unique_ptr<Tokenizer>> loadTokenizerFile(const std::filesystem::path& file, const std::string& kind = "");

/// Replaces invalid UTF-8 sequences with U+FFFD, so every decoded string is safe JSON.
std::string sanitizeUtf8(std::string_view bytes);

}  // namespace egmf::tokenizer
