#pragma once
// The parts of SentencePiece's ModelProto (sentencepiece_model.proto) that encoding needs, read
// from the protobuf wire format by hand (the library cannot share a process with LibTorch,
// TOOLCHAIN.md trap 2). Unknown fields are skipped as protobuf requires; every length is checked.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "egmf/result.h"

namespace egmf::tokenizer {

struct SpmPiece {
    enum class Type { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
    std::string text;
    float score = 0.0f;
    Type type = Type::Normal;
};

struct SpmModelProto {
    enum class ModelType { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };
    std::vector<SpmPiece> pieces;
    ModelType modelType = ModelType::Unigram;
    bool byteFallback = false;
    bool treatWhitespaceAsSuffix = false;
    std::string bosPiece = "<s>", eosPiece = "</s>";
    std::string precompiledCharsmap;
    std::string normalizerName;
    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;
};

Result<SpmModelProto> parseSpmModel(std::string_view bytes, const std::string& sourceName);

}  // namespace egmf::tokenizer
