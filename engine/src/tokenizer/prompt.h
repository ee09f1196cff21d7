#pragma once
// The prompt of MODEL.md section 4, as token ids around the pseudo tokens:
//   prefix = [bos] template-before-{multimodal}   (history lines, the target utterance, ...)
//            (the tokenizer's own prompt prefix instead of bos where the family fixes one: ChatGLM3's [gMASK] sop)
//   suffix = template-after-{multimodal}          (the task instruction, "The emotion is")
// Placeholders are filled in one pass over the template, so text that happens to contain
// "{labels}" is never expanded.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "egmf/app/tokenizer.h"
#include "egmf/dialogue.h"
#include "egmf/manifest.h"

namespace egmf::tokenizer {

struct PromptIds {
    std::vector<std::int32_t> prefix;
    std::vector<std::int32_t> suffix;
};

class PromptBuilder {
public:
    PromptBuilder(const Manifest& manifest, const Tokenizer& tokenizer);

    /// The prompt for utterance `index` of `dialogue` (history = up to K utterances before it).
    /// Without `includeText` (the text modality ablated or dropped) neither the target's words nor
    /// the history lines are in it: no transcript at all, as the paper's "w/o T". A model whose
    /// manifest lacks the text modality never gets one.
    PromptIds build(const Dialogue& dialogue, std::size_t index, bool includeText = true) const;
    /// " " + answer + EOS, the way answers follow the prompt in training and scoring.
    std::vector<std::int32_t> answerIds(const std::string& answer) const;
    /// Regression answers: the score with the manifest's decimals.
    std::string formatScore(double score) const;

private:
    /// Fills `pattern` for `target`; {history} becomes `history`, each line filled the same way.
    std::string fill(const std::string& pattern, const Utterance& target, std::span<const Utterance> history, bool includeText) const;

    const Manifest& m_manifest;
    const Tokenizer& m_tokenizer;
    std::string m_before;  ///< template text before {multimodal}
    std::string m_after;
};

/// Classification: the label `generated` matches exactly after trimming whitespace, or
/// kUnparsable. Regression: the number it holds (nothing else but whitespace), or nothing.
std::string matchLabel(const std::string& generated, const std::vector<std::string>& labels);
std::optional<double> parseScore(const std::string& generated);
/// A score written with `decimals` decimals, the way answers are formatted.
std::string formatScore(double score, int decimals);

}  // namespace egmf::tokenizer
