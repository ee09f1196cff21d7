#pragma once
// Shared fixtures of the model tests: a tiny manifest (every code path on, seconds to run), a
// temporary folder, and a dialogue with random features of mixed lengths.

#include <filesystem>
#include <string>

#include "egmf/dialogue.h"
#include "egmf/manifest.h"

namespace egmf::test {

/// The build tree (the folder above the test binary's bin/) and the source tree (the one its
/// CMakeCache.txt records), found at run time. Compiled-in paths (-DEGMF_SOURCE_DIR=...) made
/// every test unit miss ccache in a fresh clone: ccache rewrites path arguments, not macro values.
const std::filesystem::path& binaryDir();
const std::filesystem::path& sourceDir();

/// d=32, 4 fusion heads, a 2-layer Llama (hidden 48, GQA 4/2, q/k/v biases, untied lm_head),
/// LoRA r=4 on q_proj, v_proj and gate_proj, byte tokenizer.
Manifest tinyManifest();

/// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/// Utterances with random features; `missing` per utterance: "" (all present), or letters of the
/// modalities left out ("a", "v", "t", "av", ...).
Dialogue randomDialogue(const Manifest& manifest, const std::vector<std::string>& missing, unsigned seed);

}  // namespace egmf::test
