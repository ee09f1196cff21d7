#include "prompt.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "egmf/analysis.h"

namespace egmf::tokenizer {
namespace {

std::string_view trim(std::string_view text) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

PromptBuilder::PromptBuilder(const Manifest& manifest, const Tokenizer& tokenizer) : m_manifest(manifest), m_tokenizer(tokenizer) {
    const auto& text = manifest.prompt.templateText;
    const auto at = text.find("{multimodal}");  // present exactly once: parseManifest checks
    m_before = text.substr(0, at);
    m_after = at == std::string::npos ? std::string() : text.substr(at + 12);
}

std::string PromptBuilder::formatScore(double score) const {
    return tokenizer::formatScore(score, m_manifest.prompt.scoreDecimals);
}

std::string formatScore(double score, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, score);
    return text;
}

std::string PromptBuilder::fill(const std::string& pattern, const Utterance& target, std::span<const Utterance> history,
                                bool includeText) const {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
        const auto open = pattern.find('{', i);
        const auto close = open == std::string::npos ? open : pattern.find('}', open);
        if (close == std::string::npos) {
            out.append(pattern, i, std::string::npos);
            break;
        }
        out.append(pattern, i, open - i);
        const std::string_view name(pattern.data() + open + 1, close - open - 1);
        if (name == "speaker") {
            out += target.speaker;
        } else if (name == "text") {
            out += includeText ? target.text : std::string();
        } else if (name == "labels") {
            for (std::size_t l = 0; l < m_manifest.labels.size(); ++l) {
                out += (l ? ", " : "") + m_manifest.labels[l];
            }
        } else if (name == "score_min") {
            out += formatScore(m_manifest.scoreMin);
        } else if (name == "score_max") {
            out += formatScore(m_manifest.scoreMax);
        } else if (name == "history") {
            // Without the text modality no transcript is left: the earlier turns go with the target's words.
            for (const auto& earlier : includeText ? history : std::span<const Utterance>()) {
                out += fill(m_manifest.prompt.historyLine, earlier, {}, true);
            }
        } else {
            out.append(pattern, open, close - open + 1);  // not a placeholder: literal braces
        }
        i = close + 1;
    }
    return out;
}

PromptIds PromptBuilder::build(const Dialogue& dialogue, std::size_t index, bool includeText) const {
    includeText = includeText && m_manifest.modalities.text;  // a model without text reads no transcript
    PromptIds ids;
    ids.prefix = m_tokenizer.promptPrefix();
    if (ids.prefix.empty() && m_manifest.llm.bosTokenId >= 0) {
        ids.prefix.push_back(static_cast<std::int32_t>(m_manifest.llm.bosTokenId));
    }
    const std::size_t turns = std::min(index, static_cast<std::size_t>(m_manifest.prompt.historyTurns));
    const std::span<const Utterance> history(dialogue.utterances.data() + index - turns, turns);
    const Utterance& target = dialogue.utterances[index];
    auto before = m_tokenizer.encode(fill(m_before, target, history, includeText));
    ids.prefix.insert(ids.prefix.end(), before.begin(), before.end());
    ids.suffix = m_tokenizer.encode(fill(m_after, target, history, includeText));
    return ids;
}

std::vector<std::int32_t> PromptBuilder::answerIds(const std::string& answer) const {
    auto ids = m_tokenizer.encode(" " + answer);
    ids.push_back(static_cast<std::int32_t>(m_manifest.llm.eosTokenId));
    return ids;
}

std::string matchLabel(const std::string& generated, const std::vector<std::string>& labels) {
    const auto answer = trim(generated);
    for (const auto& label : labels) {
        if (answer == label) {
            return label;
        }
    }
    return kUnparsable;
}

std::optional<double> parseScore(const std::string& generated) {
    const std::string answer(trim(generated));
    if (answer.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double value = std::strtod(answer.c_str(), &end);
    if (end != answer.c_str() + answer.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

}  // namespace egmf::tokenizer
