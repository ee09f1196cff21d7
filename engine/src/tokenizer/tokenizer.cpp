#include "tokenizer.h"

#include "byte_tokenizer.h"
#include "core/utf8.h"

namespace egmf::tokenizer {

Result<std::unique_ptr<Tokenizer>> makeTokenizer(const TokenizerConfig& config,
                                                 const std::filesystem::path& checkpointDir,
                                                 std::int64_t modelVocabSize) {
    if (config.kind == "bytes") {
        if (modelVocabSize < ByteTokenizer::kMinVocab) {
            return makeError(ErrorCode::Mismatch,
                             (checkpointDir / "manifest.json").string() +
                                 ": the byte tokenizer needs llm.vocab_size >= 259");
        }
        return std::unique_ptr<Tokenizer>(std::make_unique<ByteTokenizer>());
    }
    return makeError(ErrorCode::Unsupported,
                     (checkpointDir / "manifest.json").string() + ": tokenizer kind \"" +
                         config.kind + "\" is not readable by this build (supported: bytes)");
}

std::string sanitizeUtf8(std::string_view bytes) { return utf8::sanitize(bytes); }

}  // namespace egmf::tokenizer
