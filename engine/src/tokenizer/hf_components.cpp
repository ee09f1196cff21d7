#include "hf_components.h"

#include "core/strict_json.h"

#include <unordered_map>

#include "core/utf8.h"
#include "regex.h"
#include "spm_normalizer.h"
#include "unicode_ops.h"

#include <optional>

namespace egmf::tokenizer {
namespace {

using nlohmann::json;

Error unsupported(const std::string& source, const std::string& stage, const json& config) {
    return makeError(ErrorCode::Unsupported, source + ": the " + stage + " type \"" +
                                                 (config.is_object() ? config.value("type", std::string("?")) : std::string("?")) +
                                                 "\" is not supported by this build");
}

std::string stringField(const json& config, const char* name, std::string fallback = {}) {
    return config.is_object() && config.contains(name) && config[name].is_string() ? config[name].get<std::string>() : fallback;
}
bool boolField(const json& config, const char* name, bool fallback) {
    return config.is_object() && config.contains(name) && config[name].is_boolean() ? config[name].get<bool>() : fallback;
}

/// A {"String": ...} or {"Regex": ...} pattern, as a regex (the references escape the string).
Result<Regex> makePattern(const json& pattern, const std::string& source) {
    if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
        return Regex::compile(pattern["Regex"].get<std::string>(), source);
    }
    if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
        return Regex::literal(pattern["String"].get<std::string>(), source);
    }
    return makeError(ErrorCode::Corrupt, source + ": a pattern is neither {\"String\": ...} nor {\"Regex\": ...}");
}

std::string base64Decode(const std::string& text) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        const auto index = alphabet.find(c);
        if (index == std::string::npos) continue;  // '=' padding and line breaks
        buffer = (buffer << 6) | static_cast<unsigned>(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

// --- normalizers -------------------------------------------------------------------------

struct SequenceNormalizer final : Normalizer {
    std::vector<std::unique_ptr<Normalizer>> stages;
    std::string apply(std::string text) const override {
        for (const auto& stage : stages) text = stage->apply(std::move(text));
        return text;
    }
};
struct UnicodeNormalizer final : Normalizer {
    unicode::Form form;
    explicit UnicodeNormalizer(unicode::Form f) : form(f) {}
    std::string apply(std::string text) const override { return unicode::normalize(text, form); }
};
struct LowercaseNormalizer final : Normalizer {
    std::string apply(std::string text) const override { return unicode::toLower(text); }
};
struct PrependNormalizer final : Normalizer {
    std::string prefix;
    std::string apply(std::string text) const override { return prefix + text; }
};
struct ReplaceNormalizer final : Normalizer {
    Regex pattern;
    std::string content;
    ReplaceNormalizer(Regex p, std::string c) : pattern(std::move(p)), content(std::move(c)) {}
    std::string apply(std::string text) const override { return pattern.replaceAll(text, content); }
};
struct StripNormalizer final : Normalizer {
    bool left, right;
    StripNormalizer(bool l, bool r) : left(l), right(r) {}
    std::string apply(std::string text) const override {
        std::string_view view = text;
        if (left) view = unicode::trimStartJs(view);
        if (right) view = unicode::trimEndJs(view);
        return std::string(view);
    }
};
struct PrecompiledNormalizer final : Normalizer {
    CharsMap map;
    explicit PrecompiledNormalizer(CharsMap m) : map(std::move(m)) {}
    std::string apply(std::string text) const override { return map.apply(text); }
};

// --- pre-tokenizers ----------------------------------------------------------------------

struct SequencePreTokenizer final : PreTokenizer {
    std::vector<std::unique_ptr<PreTokenizer>> stages;
    std::vector<std::string> split(std::vector<std::string> pieces, int section) const override {
        for (const auto& stage : stages) pieces = stage->split(std::move(pieces), section);
        return pieces;
    }
};
struct SplitPreTokenizer final : PreTokenizer {
    Regex pattern;
    enum class Mode { Isolated, Removed, Invert } mode;
    SplitPreTokenizer(Regex p, Mode m) : pattern(std::move(p)), mode(m) {}
    std::vector<std::string> split(std::vector<std::string> pieces, int) const override {
        std::vector<std::string> out;
        for (const auto& piece : pieces) {
            if (mode == Mode::Isolated) {
                for (auto& part : pattern.splitKeepingMatches(piece)) out.push_back(std::move(part));
                continue;
            }
            std::size_t previous = 0;
            for (const auto& [begin, end] : pattern.findAll(piece)) {
                if (mode == Mode::Invert && end > begin) out.push_back(piece.substr(begin, end - begin));
                if (mode == Mode::Removed && begin > previous) out.push_back(piece.substr(previous, begin - previous));
                previous = end;
            }
            if (mode == Mode::Removed && previous < piece.size()) out.push_back(piece.substr(previous));
        }
        return out;
    }
};
struct ByteLevelPreTokenizer final : PreTokenizer {
    bool addPrefixSpace;
    std::optional<Regex> gpt2Pattern;
    std::vector<std::string> split(std::vector<std::string> pieces, int) const override {
        std::vector<std::string> out;
        const auto& table = byteToUnicode();
        for (auto& piece : pieces) {
            if (addPrefixSpace && !piece.starts_with(' ')) piece.insert(0, " ");
            std::vector<std::string> words;
            if (gpt2Pattern) {
                for (const auto& [begin, end] : gpt2Pattern->findAll(piece)) {
                    if (end > begin) words.push_back(piece.substr(begin, end - begin));
                }
            } else {
                words.push_back(std::move(piece));
            }
            for (const auto& word : words) {
                std::string mapped;
                mapped.reserve(word.size() * 2);
                for (unsigned char byte : word) mapped += table[byte];
                out.push_back(std::move(mapped));
            }
        }
        return out;
    }
};
struct MetaspacePreTokenizer final : PreTokenizer {
    std::string replacement;
    bool addPrefixSpace = true;
    bool firstOnly = false;
    std::vector<std::string> split(std::vector<std::string> pieces, int section) const override {
        for (auto& piece : pieces) {
            piece = unicode::replaceAll(piece, " ", replacement);
            if (addPrefixSpace && !piece.starts_with(replacement) && (!firstOnly || section == 0)) {
                piece.insert(0, replacement);
            }
        }
        return pieces;
    }
};

// --- decoders ----------------------------------------------------------------------------

struct SequenceDecoder final : Decoder {
    std::vector<std::unique_ptr<Decoder>> stages;
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        for (const auto& stage : stages) tokens = stage->decodeChain(std::move(tokens));
        return tokens;
    }
};
struct ByteLevelDecoder final : Decoder {
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        std::string bytes;
        for (const auto& token : tokens) {
            for (auto point : unicode::codePoints(token)) {
                const int byte = unicodeToByte(point);
                if (byte >= 0)
                    bytes.push_back(static_cast<char>(byte));
                else
                    bytes.append(point);  // added tokens pass through
            }
        }
        return {utf8::sanitize(bytes)};
    }
};
struct ReplaceDecoder final : Decoder {
    std::string from, to;
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        for (auto& token : tokens) token = unicode::replaceAll(token, from, to);
        return tokens;
    }
};
struct ByteFallbackDecoder final : Decoder {
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
            if (!pending.empty()) out.push_back(utf8::sanitize(pending));
            pending.clear();
        };
        for (auto& token : tokens) {
            if (const auto byte = unicode::parseBytePiece(token)) {
                pending.push_back(static_cast<char>(*byte));
            } else {
                flush();
                out.push_back(std::move(token));
            }
        }
        flush();
        return out;
    }
};
struct FuseDecoder final : Decoder {
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        std::string joined;
        for (const auto& token : tokens) joined += token;
        return {joined};
    }
};
struct StripDecoder final : Decoder {
    std::string content;
    int start = 0, stop = 0;
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        for (auto& token : tokens) {
            for (int i = 0; i < start && token.starts_with(content); ++i) token.erase(0, content.size());
            for (int i = 0; i < stop && token.ends_with(content); ++i) token.resize(token.size() - content.size());
        }
        return tokens;
    }
};
struct MetaspaceDecoder final : Decoder {
    std::string replacement;
    bool addPrefixSpace = true;
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            tokens[i] = unicode::replaceAll(tokens[i], replacement, " ");
            if (addPrefixSpace && i == 0 && tokens[i].starts_with(' ')) tokens[i].erase(0, 1);
        }
        return tokens;
    }
};

template <typename Stage, typename Make>
Result<std::unique_ptr<Stage>> makeSequence(const json& list, const std::string& source, Make make,
                                            std::vector<std::unique_ptr<Stage>>& into) {
    if (!list.is_array()) return makeError(ErrorCode::Corrupt, source + ": a Sequence lacks its list");
    for (const auto& item : list) {
        auto stage = make(item, source);
        if (!stage.ok()) return stage.error();
        if (*stage) into.push_back(std::move(*stage));
    }
    return std::unique_ptr<Stage>();
}

}  // namespace

const std::array<std::string, 256>& byteToUnicode() {
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        int next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            t[b] = unicode::encodeOne(printable ? static_cast<char32_t>(b) : static_cast<char32_t>(next++));
        }
        return t;
    }();
    return table;
}

int unicodeToByte(std::string_view character) {
    static const std::unordered_map<std::string, int> inverse = [] {
        std::unordered_map<std::string, int> map;
        for (int b = 0; b < 256; ++b) map.emplace(byteToUnicode()[b], b);
        return map;
    }();
    const auto found = inverse.find(std::string(character));
    return found == inverse.end() ? -1 : found->second;
}

Result<std::unique_ptr<Normalizer>> makeNormalizer(const json& config, const std::string& source) {
    if (config.is_null()) return std::unique_ptr<Normalizer>();
    const auto type = stringField(config, "type");
    if (type == "Sequence") {
        auto sequence = std::make_unique<SequenceNormalizer>();
        auto built = makeSequence<Normalizer>(config.value("normalizers", json()), source, makeNormalizer, sequence->stages);
        if (!built.ok()) return built.error();
        return std::unique_ptr<Normalizer>(std::move(sequence));
    }
    if (type == "NFC") return std::unique_ptr<Normalizer>(std::make_unique<UnicodeNormalizer>(unicode::Form::NFC));
    if (type == "NFD") return std::unique_ptr<Normalizer>(std::make_unique<UnicodeNormalizer>(unicode::Form::NFD));
    if (type == "NFKC") return std::unique_ptr<Normalizer>(std::make_unique<UnicodeNormalizer>(unicode::Form::NFKC));
    if (type == "NFKD") return std::unique_ptr<Normalizer>(std::make_unique<UnicodeNormalizer>(unicode::Form::NFKD));
    if (type == "Lowercase") return std::unique_ptr<Normalizer>(std::make_unique<LowercaseNormalizer>());
    if (type == "Prepend") {
        auto prepend = std::make_unique<PrependNormalizer>();
        prepend->prefix = stringField(config, "prepend");
        return std::unique_ptr<Normalizer>(std::move(prepend));
    }
    if (type == "Replace") {
        auto pattern = makePattern(config.value("pattern", json()), source);
        if (!pattern.ok()) return pattern.error();
        return std::unique_ptr<Normalizer>(std::make_unique<ReplaceNormalizer>(std::move(*pattern), stringField(config, "content")));
    }
    if (type == "Strip") {
        return std::unique_ptr<Normalizer>(
            std::make_unique<StripNormalizer>(boolField(config, "strip_left", true), boolField(config, "strip_right", true)));
    }
    if (type == "Precompiled") {
        auto map = CharsMap::parse(base64Decode(stringField(config, "precompiled_charsmap")), source);
        if (!map.ok()) return map.error();
        return std::unique_ptr<Normalizer>(std::make_unique<PrecompiledNormalizer>(std::move(*map)));
    }
    return unsupported(source, "normalizer", config);
}

Result<std::unique_ptr<PreTokenizer>> makePreTokenizer(const json& config, const std::string& source) {
    if (config.is_null()) return std::unique_ptr<PreTokenizer>();
    const auto type = stringField(config, "type");
    if (type == "Sequence") {
        auto sequence = std::make_unique<SequencePreTokenizer>();
        auto built = makeSequence<PreTokenizer>(config.value("pretokenizers", json()), source, makePreTokenizer, sequence->stages);
        if (!built.ok()) return built.error();
        return std::unique_ptr<PreTokenizer>(std::move(sequence));
    }
    if (type == "Split") {
        auto pattern = makePattern(config.value("pattern", json()), source);
        if (!pattern.ok()) return pattern.error();
        const auto behavior = stringField(config, "behavior", "Isolated");
        using Mode = SplitPreTokenizer::Mode;
        Mode mode = Mode::Isolated;
        if (boolField(config, "invert", false))
            mode = Mode::Invert;
        else if (behavior == "Removed")
            mode = Mode::Removed;
        else if (behavior != "Isolated") {
            return makeError(ErrorCode::Unsupported, source + ": Split with behavior \"" + behavior + "\" is not supported");
        }
        return std::unique_ptr<PreTokenizer>(std::make_unique<SplitPreTokenizer>(std::move(*pattern), mode));
    }
    if (type == "ByteLevel") {
        auto byteLevel = std::make_unique<ByteLevelPreTokenizer>();
        byteLevel->addPrefixSpace = boolField(config, "add_prefix_space", false);
        if (boolField(config, "use_regex", true)) {
            auto pattern = Regex::compile(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)", source);
            if (!pattern.ok()) return pattern.error();
            byteLevel->gpt2Pattern.emplace(std::move(*pattern));
        }
        return std::unique_ptr<PreTokenizer>(std::move(byteLevel));
    }
    if (type == "Metaspace") {
        auto metaspace = std::make_unique<MetaspacePreTokenizer>();
        metaspace->replacement = stringField(config, "replacement", "\xE2\x96\x81");
        // transformers.js prepends only when add_prefix_space is given and true.
        metaspace->addPrefixSpace = boolField(config, "add_prefix_space", false);
        const auto scheme = stringField(config, "prepend_scheme", "always");
        if (scheme == "never") metaspace->addPrefixSpace = false;
        metaspace->firstOnly = scheme == "first";
        return std::unique_ptr<PreTokenizer>(std::move(metaspace));
    }
    return unsupported(source, "pre-tokenizer", config);
}

Result<std::unique_ptr<Decoder>> makeDecoder(const json& config, const std::string& source) {
    if (config.is_null()) return std::unique_ptr<Decoder>();
    const auto type = stringField(config, "type");
    if (type == "Sequence") {
        auto sequence = std::make_unique<SequenceDecoder>();
        auto built = makeSequence<Decoder>(config.value("decoders", json()), source, makeDecoder, sequence->stages);
        if (!built.ok()) return built.error();
        return std::unique_ptr<Decoder>(std::move(sequence));
    }
    if (type == "ByteLevel") return std::unique_ptr<Decoder>(std::make_unique<ByteLevelDecoder>());
    if (type == "ByteFallback") return std::unique_ptr<Decoder>(std::make_unique<ByteFallbackDecoder>());
    if (type == "Fuse") return std::unique_ptr<Decoder>(std::make_unique<FuseDecoder>());
    if (type == "Replace") {
        const auto pattern = config.value("pattern", json());
        if (!pattern.is_object() || !pattern.contains("String") || !pattern["String"].is_string()) {
            return makeError(ErrorCode::Unsupported, source + ": a Replace decoder with a regex pattern is not supported");
        }
        auto replace = std::make_unique<ReplaceDecoder>();
        replace->from = pattern["String"].get<std::string>();
        replace->to = stringField(config, "content");
        if (replace->from.empty()) return makeError(ErrorCode::Corrupt, source + ": a Replace decoder replaces nothing");
        return std::unique_ptr<Decoder>(std::move(replace));
    }
    if (type == "Strip") {
        auto strip = std::make_unique<StripDecoder>();
        strip->content = stringField(config, "content", " ");
        strip->start = static_cast<int>(checkedInteger(config.value("start", json(0)), source + ": the Strip decoder's start", 0, 1 << 20));
        strip->stop = static_cast<int>(checkedInteger(config.value("stop", json(0)), source + ": the Strip decoder's stop", 0, 1 << 20));
        if (strip->content.empty()) return makeError(ErrorCode::Corrupt, source + ": a Strip decoder strips nothing");
        return std::unique_ptr<Decoder>(std::move(strip));
    }
    if (type == "Metaspace") {
        auto metaspace = std::make_unique<MetaspaceDecoder>();
        metaspace->replacement = stringField(config, "replacement", "\xE2\x96\x81");
        metaspace->addPrefixSpace =
            boolField(config, "add_prefix_space", true) && stringField(config, "prepend_scheme", "always") != "never";
        if (metaspace->replacement.empty()) return makeError(ErrorCode::Corrupt, source + ": an empty Metaspace replacement");
        return std::unique_ptr<Decoder>(std::move(metaspace));
    }
    return unsupported(source, "decoder", config);
}

}  // namespace egmf::tokenizer
