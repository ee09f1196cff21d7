#pragma once
// The pipeline stages of a Hugging Face tokenizer.json, built from its JSON: normalizers,
// pre-tokenizers and decoders. Semantics follow transformers.js (the reference the tests run),
// which agrees with the Rust library on the configurations used by GPT-2, Llama 2/3 and Qwen2/3.
// A stage type we do not implement is an error naming the file and the type, never a guess.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/result.h"

namespace egmf::tokenizer {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual std::string apply(std::string text) const = 0;
};

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    /// Splits every piece further; `sectionIndex` counts the text sections between added tokens.
    virtual std::vector<std::string> split(std::vector<std::string> pieces, int sectionIndex) const = 0;
};

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual std::vector<std::string> decodeChain(std::vector<std::string> tokens) const = 0;
};

/// Each returns nullptr for a JSON null (the stage is absent).
Result<std::unique_ptr<Normalizer>> makeNormalizer(const nlohmann::json& config, const std::string& sourceName);
Result<std::unique_ptr<PreTokenizer>> makePreTokenizer(const nlohmann::json& config, const std::string& sourceName);
Result<std::unique_ptr<Decoder>> makeDecoder(const nlohmann::json& config, const std::string& sourceName);

/// GPT-2's byte-to-character table (printable stand-ins for every byte), and its inverse.
const std::array<std::string, 256>& byteToUnicode();
/// The byte a stand-in character encodes, or -1.
int unicodeToByte(std::string_view character);

}  // namespace egmf::tokenizer
