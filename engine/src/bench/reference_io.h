#pragma once
// The exchange with the Python reference (tools/reference/egmf_reference.py), both ways through
// safetensors files: the engine writes a dialogue's exact model inputs (token ids after
// tokenization, features, prompt ids, label answers, ablation switches), the reference writes
// every stage's outputs under the same names the traces use here.

#include <filesystem>
#include <map>

#include "runtime/egmf_runner.h"

namespace egmf::runtime {

/// u{i}.text_ids, u{i}.audio, u{i}.visual, u{i}.prefix, u{i}.suffix, answer{k}; metadata:
/// utterances, answers, max_new_tokens, disabled_experts ("010"), score_labels.
Result<void> writeReferenceInputs(const std::filesystem::path& path, EgmfRunner& runner, const Dialogue& dialogue,
                                  const AnalyzeOptions& options, int maxNewTokens);

/// A trace as named tensors: u{i}.H_t, H_a, H_v, H_f, text_to_av, av_to_text, context, g_f, g_c,
/// g, alpha, H_enh, pseudo, prompt_logits, generated, label_logprobs.
std::map<std::string, at::Tensor> traceTensors(std::size_t index, const UtteranceTrace& trace);

/// Runs the reference (`python script mode --checkpoint ... extra...`) and returns its stdout.
Result<std::string> runReference(const std::string& python, const std::vector<std::string>& arguments);

/// The interpreter for the reference: $EGMF_PYTHON, else Debian's /usr/bin/python3 (python3-torch;
/// the `python3` on PATH here is a pyenv without it, TOOLCHAIN.md trap 10), else python3.
std::string referencePython();

/// tools/reference/egmf_reference.py as found beside the program (build or install tree).
std::filesystem::path referenceScript();

}  // namespace egmf::runtime
