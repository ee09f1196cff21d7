#pragma once
// The demo LLM's tokenizer: a SentencePiece unigram model trained by Debian's spm_train on the
// training split's text plus the prompt's fixed words, labels and speakers (so every prompt and
// answer tokenizes into whole pieces; each label, or each digit of a score, is a piece of its
// own); byte fallback keeps any other text encodable. The engine
// reads the .model itself (tokenizer/sentencepiece_tokenizer.h).

#include <filesystem>
#include <vector>

#include "egmf/dialogue.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::train {

/// Writes <folder>/tokenizer.model; returns its vocabulary size.
Result<int> trainTokenizer(const std::filesystem::path& folder, const std::vector<Dialogue>& training, const Manifest& manifest,
                           int vocabSize);

}  // namespace egmf::train
