#include "hf_tokenizer.h"

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/strict_json.h"
#include "unicode_ops.h"

namespace egmf::tokenizer {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxVocab = 1 << 24;

/// A boolean field; absent or not a boolean reads as false.
bool flag(const json& object, const char* name) {
    const auto found = object.find(name);
    return found != object.end() && found->is_boolean() && found->get<bool>();
}

Error corrupt(const std::string& source, const std::string& what) {
    return makeError(ErrorCode::Corrupt, source + ": " + what + "; it is not a usable tokenizer.json");
}

}  // namespace

struct HfTokenizer::TrieNode {
    std::map<unsigned char, std::unique_ptr<TrieNode>> children;
    std::optional<std::size_t> token;  ///< index into m_added
};

HfTokenizer::HfTokenizer() = default;
HfTokenizer::~HfTokenizer() = default;

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, file.string() + ": cannot open the tokenizer file");
    std::stringstream text;
    text << in.rdbuf();
    return fromJson(text.str(), file.string());
}

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::fromJson(std::string_view text, const std::string& source) {
    // A field of the wrong JSON type throws from nlohmann's accessors; that is a corrupt file.
    try {
        return build(text, source);
    } catch (const json::exception& error) {
        return corrupt(source, std::string("a field has the wrong type (") + error.what() + ")");
    } catch (const std::invalid_argument& error) {  // checkedInteger
        return makeError(ErrorCode::Corrupt, error.what());
    }
}

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::build(std::string_view text, const std::string& source) {
    auto parsed = parseStrictJson(text, source);
    if (!parsed.ok()) return parsed.error();
    const json& root = *parsed;
    if (!root.is_object() || !root.contains("model") || !root["model"].is_object()) {
        return corrupt(source, "there is no \"model\" object");
    }
    std::unique_ptr<HfTokenizer> tokenizer(new HfTokenizer());
    auto& t = *tokenizer;
    const json& model = root["model"];
    const auto type = model.value("type", std::string(model.contains("merges") ? "BPE" : ""));

    auto setToken = [&](std::int64_t id, const std::string& token) -> bool {
        if (id < 0 || id >= kMaxVocab) return false;
        if (static_cast<std::size_t>(id) >= t.m_idToToken.size()) {
            t.m_idToToken.resize(id + 1);
            t.m_isSpecial.resize(id + 1);
        }
        t.m_idToToken[id] = token;
        return true;
    };

    if (type == "BPE") {
        if (!model.contains("vocab") || !model["vocab"].is_object() || !model.contains("merges") || !model["merges"].is_array()) {
            return corrupt(source, "the BPE model lacks its vocab object or merges list");
        }
        std::unordered_map<std::string, std::int32_t> vocab;
        for (const auto& [token, id] : model["vocab"].items()) {
            if (!id.is_number_integer() || !setToken(id.get<std::int64_t>(), token)) {
                return corrupt(source, "the vocab entry \"" + token + "\" has no valid id");
            }
            vocab.emplace(token, id.get<std::int32_t>());
        }
        std::vector<std::pair<std::string, std::string>> merges;
        merges.reserve(model["merges"].size());
        for (const auto& merge : model["merges"]) {
            if (merge.is_string()) {
                // "a b" (the older form): split at the first space, as the references do.
                const auto text = merge.get<std::string>();
                const auto space = text.find(' ');
                if (space == std::string::npos) return corrupt(source, "the merge \"" + text + "\" has no space");
                const auto second = text.find(' ', space + 1);
                merges.emplace_back(text.substr(0, space),
                                    text.substr(space + 1, second == std::string::npos ? std::string::npos : second - space - 1));
            } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
                merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
            } else {
                return corrupt(source, "a merge is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        const auto prefix = model.value("continuing_subword_prefix", json());
        if (prefix.is_string() && !prefix.get<std::string>().empty()) {
            return makeError(ErrorCode::Unsupported, source + ": BPE with a continuing_subword_prefix is not supported");
        }
        BpeOptions options;
        if (model.contains("unk_token") && model["unk_token"].is_string()) {
            const auto found = vocab.find(model["unk_token"].get<std::string>());
            if (found != vocab.end()) options.unkId = found->second;
        }
        options.byteFallback = flag(model, "byte_fallback");
        options.fuseUnk = flag(model, "fuse_unk");
        options.ignoreMerges = flag(model, "ignore_merges");
        if (model.contains("end_of_word_suffix") && model["end_of_word_suffix"].is_string()) {
            options.endOfWordSuffix = model["end_of_word_suffix"].get<std::string>();
        }
        t.m_bpe = std::make_unique<BpeModel>(std::move(vocab), merges, options);
    } else if (type == "Unigram") {
        if (!model.contains("vocab") || !model["vocab"].is_array()) return corrupt(source, "the Unigram model lacks its vocab list");
        std::vector<UnigramPiece> pieces;
        for (const auto& entry : model["vocab"]) {
            if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
                return corrupt(source, "a Unigram vocab entry is not [piece, score]");
            }
            if (!setToken(static_cast<std::int64_t>(pieces.size()), entry[0].get<std::string>())) {
                return corrupt(source, "the Unigram vocabulary is too large");
            }
            pieces.push_back({entry[0].get<std::string>(), entry[1].get<float>(), true, false});
        }
        UnigramOptions options;
        const auto unk = model.value("unk_id", json());
        if (!unk.is_number_integer() || unk.get<std::int64_t>() < 0 || unk.get<std::size_t>() >= pieces.size()) {
            return corrupt(source, "the Unigram model has no valid unk_id");
        }
        options.unkId = unk.get<std::int32_t>();
        options.byteFallback = flag(model, "byte_fallback");
        options.fuseUnk = true;  // always, in the Rust library and transformers.js
        float minScore = 0.0f;
        for (std::size_t i = 0; i < pieces.size(); ++i) minScore = i == 0 ? pieces[i].score : std::min(minScore, pieces[i].score);
        options.minScore = minScore;
        t.m_unigram = std::make_unique<UnigramModel>(std::move(pieces), options);
    } else {
        return makeError(ErrorCode::Unsupported, source + ": the model type \"" + type + "\" is not supported (BPE, Unigram)");
    }

    if (root.contains("added_tokens") && root["added_tokens"].is_array()) {
        t.m_addedTrie = std::make_unique<TrieNode>();
        for (const auto& entry : root["added_tokens"]) {
            if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_integer() || !entry.contains("content") ||
                !entry["content"].is_string() || entry["content"].get<std::string>().empty()) {
                return corrupt(source, "an added token lacks its id or content");
            }
            AddedToken token{entry["content"].get<std::string>(), entry["id"].get<std::int32_t>(), entry.value("special", false),
                             entry.value("lstrip", false), entry.value("rstrip", false)};
            if (!setToken(token.id, token.content)) return corrupt(source, "an added token has an invalid id");
            t.m_isSpecial[token.id] = token.special;
            t.m_addedByContent[token.content] = t.m_added.size();
            auto* node = t.m_addedTrie.get();
            for (unsigned char c : token.content) {
                auto& child = node->children[c];
                if (!child) child = std::make_unique<TrieNode>();
                node = child.get();
            }
            node->token = t.m_added.size();
            t.m_added.push_back(std::move(token));
        }
    }

    auto normalizer = makeNormalizer(root.value("normalizer", json()), source);
    if (!normalizer.ok()) return normalizer.error();
    t.m_normalizer = std::move(*normalizer);
    auto preTokenizer = makePreTokenizer(root.value("pre_tokenizer", json()), source);
    if (!preTokenizer.ok()) return preTokenizer.error();
    t.m_preTokenizer = std::move(*preTokenizer);
    auto decoder = makeDecoder(root.value("decoder", json()), source);
    if (!decoder.ok()) return decoder.error();
    t.m_decoder = std::move(*decoder);

    // The post-processor's single-sequence template: specials before and after "A".
    std::function<Result<void>(const json&)> readPost = [&](const json& post) -> Result<void> {
        if (post.is_null()) return {};
        const auto postType = post.value("type", std::string());
        if (postType == "Sequence") {
            for (const auto& stage : post.value("processors", json::array())) {
                if (auto r = readPost(stage); !r.ok()) return r;
            }
            return {};
        }
        if (postType == "ByteLevel") return {};
        if (postType != "TemplateProcessing") {
            return makeError(ErrorCode::Unsupported, source + ": the post-processor \"" + postType + "\" is not supported");
        }
        bool afterSequence = false;
        for (const auto& item : post.value("single", json::array())) {
            if (item.contains("Sequence")) {
                afterSequence = true;
            } else if (item.contains("SpecialToken") && item["SpecialToken"].contains("id")) {
                const auto name = item["SpecialToken"]["id"].get<std::string>();
                const auto& specials = post.value("special_tokens", json::object());
                if (!specials.contains(name) || !specials[name].contains("ids")) {
                    return corrupt(source, "the template names the special token \"" + name + "\" without ids");
                }
                for (const auto& id : specials[name]["ids"]) {
                    const auto checked = checkedInteger(id, source + ": the ids of special token \"" + name + "\"", 0,
                                                        std::numeric_limits<std::int32_t>::max());
                    (afterSequence ? t.m_suffixIds : t.m_prefixIds).push_back(static_cast<std::int32_t>(checked));
                }
            }
        }
        return {};
    };
    if (auto post = readPost(root.value("post_processor", json())); !post.ok()) return post.error();
    return tokenizer;
}

std::vector<std::string_view> HfTokenizer::splitOnAddedTokens(std::string_view text) const {
    std::vector<std::string_view> sections;
    if (!m_addedTrie) {
        sections.push_back(text);
        return sections;
    }
    std::size_t start = 0, i = 0;
    while (i < text.size()) {
        const TrieNode* node = m_addedTrie.get();
        std::optional<std::size_t> match;
        for (std::size_t j = i; j < text.size(); ++j) {
            const auto child = node->children.find(static_cast<unsigned char>(text[j]));
            if (child == node->children.end()) break;
            node = child->second.get();
            if (node->token) match = node->token;
        }
        if (match) {
            if (i > start) sections.push_back(text.substr(start, i - start));
            const auto& content = m_added[*match].content;
            sections.push_back(text.substr(i, content.size()));
            i += content.size();
            start = i;
        } else {
            ++i;
        }
    }
    if (start < text.size()) sections.push_back(text.substr(start));
    return sections;
}

std::vector<std::int32_t> HfTokenizer::encode(std::string_view text) const {
    auto sections = splitOnAddedTokens(text);
    // Added tokens may strip the whitespace beside them.
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto added = m_addedByContent.find(std::string(sections[i]));
        if (added == m_addedByContent.end()) continue;
        const auto& token = m_added[added->second];
        if (token.lstrip && i > 0 && !m_addedByContent.count(std::string(sections[i - 1])))
            sections[i - 1] = unicode::trimEndJs(sections[i - 1]);
        if (token.rstrip && i + 1 < sections.size() && !m_addedByContent.count(std::string(sections[i + 1])))
            sections[i + 1] = unicode::trimStartJs(sections[i + 1]);
    }
    std::vector<std::int32_t> ids;
    for (std::size_t index = 0; index < sections.size(); ++index) {
        const auto section = sections[index];
        if (section.empty()) continue;
        if (const auto added = m_addedByContent.find(std::string(section)); added != m_addedByContent.end()) {
            ids.push_back(m_added[added->second].id);
            continue;
        }
        std::string normalized = m_normalizer ? m_normalizer->apply(std::string(section)) : std::string(section);
        if (normalized.empty()) continue;
        std::vector<std::string> words{std::move(normalized)};
        if (m_preTokenizer) words = m_preTokenizer->split(std::move(words), static_cast<int>(index));
        if (m_bpe) {
            m_bpe->encode(words, ids);
        } else {
            for (const auto& word : words) m_unigram->encode(word, ids);
        }
    }
    return ids;
}

std::vector<std::int32_t> HfTokenizer::encodeWithSpecials(std::string_view text) const {
    auto ids = m_prefixIds;
    const auto body = encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    ids.insert(ids.end(), m_suffixIds.begin(), m_suffixIds.end());
    return ids;
}

std::string HfTokenizer::piece(std::int32_t id) const {
    return id >= 0 && static_cast<std::size_t>(id) < m_idToToken.size() ? m_idToToken[id] : std::string("<invalid>");
}

std::string HfTokenizer::decode(std::span<const std::int32_t> ids) const {
    std::vector<std::string> tokens;
    for (auto id : ids) {
        if (id < 0 || static_cast<std::size_t>(id) >= m_idToToken.size() || m_isSpecial[id]) continue;
        tokens.push_back(m_idToToken[id]);
    }
    if (m_decoder) tokens = m_decoder->decodeChain(std::move(tokens));
    std::string text;
    for (const auto& token : tokens) text += token;
    return sanitizeUtf8(text);
}

}  // namespace egmf::tokenizer
