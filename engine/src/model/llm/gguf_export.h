#pragma once
// The decoder's weights as a GGUF file llama.cpp runs (checkpoint/gguf_writer), under llama.cpp's
// names and conventions for the family, so llama.cpp computes what the engine does from the same
// numbers: its yardstick (tests/golden, egmf bench llm). Float32, a LoRA adapter merged into its
// base weight. No vocabulary is written (tokenizer.ggml.model "no_vocab" with the vocabulary
// size): the callers feed token ids.
//   chatglm  token_embd, blk.N.{attn_norm, attn_qkv (+bias), attn_output, ffn_norm,
//            ffn_up ([gate; up] fused, llama.cpp's SwiGLU split), ffn_down}, output_norm, output;
//            rope.dimension_count = half a head: llama.cpp's "norm" rope turns adjacent pairs,
//            as ChatGLM does, so no row moves
//   llama    (and mistral) attn_q/attn_k rows permuted as llama.cpp's converter does: its rope
//            turns adjacent pairs, transformers' the two halves of a head
//   qwen2    no permutation: llama.cpp turns halves for qwen2 ("neox" rope)

#include <filesystem>

#include "causal_lm.h"
#include "egmf/result.h"

namespace egmf::model {

Result<void> writeGguf(CausalLmImpl& llm, const std::filesystem::path& path);

}  // namespace egmf::model
