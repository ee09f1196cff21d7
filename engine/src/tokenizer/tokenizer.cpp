#include "egmf/app/tokenizer.h"

#include "byte_tokenizer.h"
#include "core/utf8.h"
#ifdef EGMF_HAS_TOKENIZER_FILES
#include "chatglm_tokenizer.h"
#include "hf_tokenizer.h"
#include "sentencepiece_tokenizer.h"
#endif

namespace egmf::tokenizer {
namespace {

Result<std::unique_ptr<Tokenizer>> loadTokenizerFitting(const std::filesystem::path& file, const std::string& kind,
                                                        std::int64_t modelVocabSize) {
    auto tokenizer = loadTokenizerFile(file, kind);
    if (tokenizer.ok() && (*tokenizer)->vocabSize() > modelVocabSize) {
        return makeError(ErrorCode::Mismatch, file.string() + ": the tokenizer has " + std::to_string((*tokenizer)->vocabSize()) +
                                                  " tokens but the model's vocab_size is " + std::to_string(modelVocabSize));
    }
    return tokenizer;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> makeCheckpointTokenizer(const Manifest& manifest, const std::filesystem::path& checkpointDir) {
    if (manifest.huggingFace) return loadTokenizerFitting(manifest.tokenizer.file, manifest.tokenizer.kind, manifest.llm.vocabSize);
    return makeTokenizer(manifest.tokenizer, checkpointDir, manifest.llm.vocabSize);
}

Result<std::unique_ptr<Tokenizer>> makeTokenizer(const TokenizerConfig& config, const std::filesystem::path& checkpointDir,
                                                 std::int64_t modelVocabSize) {
    if (config.kind == "bytes") {
        if (modelVocabSize < ByteTokenizer::kMinVocab) {
            return makeError(ErrorCode::Mismatch,
                             (checkpointDir / "manifest.json").string() + ": the byte tokenizer needs llm.vocab_size >= 259");
        }
        return std::unique_ptr<Tokenizer>(std::make_unique<ByteTokenizer>());
    }
    if (config.kind == "tokenizer.json" || config.kind == "sentencepiece" || config.kind == "chatglm") {
        if (config.file.empty() || config.file.find("..") != std::string::npos || config.file.starts_with('/')) {
            return makeError(ErrorCode::Corrupt,
                             (checkpointDir / "manifest.json").string() + ": tokenizer.file must name a file inside the checkpoint folder");
        }
        return loadTokenizerFitting(checkpointDir / config.file, config.kind, modelVocabSize);
    }
    return makeError(ErrorCode::Unsupported, (checkpointDir / "manifest.json").string() + ": tokenizer kind \"" + config.kind +
                                                 "\" is unknown (bytes, tokenizer.json, sentencepiece, chatglm)");
}

Result<std::unique_ptr<Tokenizer>> loadTokenizerFile(const std::filesystem::path& file, const std::string& kind) {
#ifdef EGMF_HAS_TOKENIZER_FILES
    if (kind == "chatglm") {
        auto tokenizer = ChatGlmTokenizer::load(file);
        if (!tokenizer.ok()) return tokenizer.error();
        return std::unique_ptr<Tokenizer>(std::move(*tokenizer));
    }
    if (file.extension() == ".json") {
        auto tokenizer = HfTokenizer::load(file);
        if (!tokenizer.ok()) return tokenizer.error();
        return std::unique_ptr<Tokenizer>(std::move(*tokenizer));
    }
    auto tokenizer = SentencePieceTokenizer::load(file);
    if (!tokenizer.ok()) return tokenizer.error();
    return std::unique_ptr<Tokenizer>(std::move(*tokenizer));
#else
    (void)kind;
    return makeError(ErrorCode::Unsupported, file.string() +
                                                 ": this model-only build reads no tokenizer files "
                                                 "(PCRE2 and ICU are missing); pass token ids instead");
#endif
}

std::string sanitizeUtf8(std::string_view bytes) {
    return utf8::sanitize(bytes);
}

}  // namespace egmf::tokenizer
