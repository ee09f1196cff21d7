#include "spm_proto.h"

#include <cstring>
#include <optional>

namespace egmf::tokenizer {
namespace {

/// A protobuf wire-format cursor; any overrun sets `failed`.
struct Reader {
    std::string_view data;
    bool failed = false;

    bool done() const { return data.empty() || failed; }

    std::uint64_t varint() {
        std::uint64_t result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (data.empty()) break;
            const auto byte = static_cast<unsigned char>(data.front());
            data.remove_prefix(1);
            result |= std::uint64_t(byte & 0x7F) << shift;
            if (!(byte & 0x80)) return result;
        }
        failed = true;
        return 0;
    }
    std::string_view bytes() {
        const auto length = varint();
        if (failed || length > data.size()) {
            failed = true;
            return {};
        }
        const auto out = data.substr(0, length);
        data.remove_prefix(length);
        return out;
    }
    float fixed32Float() {
        if (data.size() < 4) {
            failed = true;
            return 0.0f;
        }
        float value;
        std::memcpy(&value, data.data(), 4);
        data.remove_prefix(4);
        return value;
    }
    void skip(int wireType) {
        switch (wireType) {
            case 0:
                varint();
                break;
            case 1:
                if (data.size() < 8)
                    failed = true;
                else
                    data.remove_prefix(8);
                break;
            case 2:
                bytes();
                break;
            case 5:
                if (data.size() < 4)
                    failed = true;
                else
                    data.remove_prefix(4);
                break;
            default:
                failed = true;  // groups are not used by SentencePiece
        }
    }
};

bool parsePiece(std::string_view message, SpmPiece& piece) {
    Reader in{message};
    while (!in.done()) {
        const auto key = in.varint();
        const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
        if (field == 1 && wire == 2)
            piece.text = in.bytes();
        else if (field == 2 && wire == 5)
            piece.score = in.fixed32Float();
        else if (field == 3 && wire == 0) {
            const auto type = in.varint();
            if (type < 1 || type > 6) return false;
            piece.type = static_cast<SpmPiece::Type>(type);
        } else
            in.skip(wire);
    }
    return !in.failed;
}

bool parseTrainer(std::string_view message, SpmModelProto& model) {
    Reader in{message};
    while (!in.done()) {
        const auto key = in.varint();
        const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
        if (field == 3 && wire == 0)
            model.modelType = static_cast<SpmModelProto::ModelType>(in.varint());
        else if (field == 35 && wire == 0)
            model.byteFallback = in.varint() != 0;
        else if (field == 24 && wire == 0)
            model.treatWhitespaceAsSuffix = in.varint() != 0;
        else if (field == 46 && wire == 2)
            model.bosPiece = in.bytes();
        else if (field == 47 && wire == 2)
            model.eosPiece = in.bytes();
        else
            in.skip(wire);
    }
    return !in.failed;
}

bool parseNormalizer(std::string_view message, SpmModelProto& model) {
    Reader in{message};
    while (!in.done()) {
        const auto key = in.varint();
        const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
        if (field == 1 && wire == 2)
            model.normalizerName = in.bytes();
        else if (field == 2 && wire == 2)
            model.precompiledCharsmap = in.bytes();
        else if (field == 3 && wire == 0)
            model.addDummyPrefix = in.varint() != 0;
        else if (field == 4 && wire == 0)
            model.removeExtraWhitespaces = in.varint() != 0;
        else if (field == 5 && wire == 0)
            model.escapeWhitespaces = in.varint() != 0;
        else
            in.skip(wire);
    }
    return !in.failed;
}

}  // namespace

Result<SpmModelProto> parseSpmModel(std::string_view bytes, const std::string& sourceName) {
    auto corrupt = [&](const std::string& what) {
        return makeError(ErrorCode::Corrupt, sourceName + ": " + what + "; it is not a SentencePiece model (re-export it with spm_train)");
    };
    SpmModelProto model;
    Reader in{bytes};
    while (!in.done()) {
        const auto key = in.varint();
        const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
        if (field == 1 && wire == 2) {
            SpmPiece piece;
            if (!parsePiece(in.bytes(), piece)) return corrupt("a vocabulary piece is malformed");
            model.pieces.push_back(std::move(piece));
        } else if (field == 2 && wire == 2) {
            if (!parseTrainer(in.bytes(), model)) return corrupt("the trainer spec is malformed");
        } else if (field == 3 && wire == 2) {
            if (!parseNormalizer(in.bytes(), model)) return corrupt("the normalizer spec is malformed");
        } else {
            in.skip(wire);
        }
    }
    if (in.failed) return corrupt("the protobuf data is truncated or malformed");
    if (model.pieces.empty()) return corrupt("it has no vocabulary pieces");
    if (model.modelType != SpmModelProto::ModelType::Unigram && model.modelType != SpmModelProto::ModelType::Bpe) {
        return makeError(ErrorCode::Unsupported, sourceName + ": only unigram and bpe SentencePiece models are read");
    }
    return model;
}

}  // namespace egmf::tokenizer
