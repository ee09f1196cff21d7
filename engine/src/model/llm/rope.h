#pragma once
// Rotary position embeddings. The Llama family as transformers' modeling_llama computes them:
// inv_freq in float32 (with the "linear" and "llama3" scalings), cos/sin of cat(freqs, freqs) in
// float32 and cast to the activations' dtype, applied with rotate_half (first half / second half
// of each head). ChatGLM as modeling_chatglm.py does: only the first rotaryDim() dimensions of each
// head turn, dimensions 2i and 2i+1 as one pair (GPT-J's interleaving, llama.cpp's "norm" rope),
// the rest pass through.

#include "../torch_nn.h"
#include "egmf/manifest.h"

namespace egmf::model {

class RotaryEmbedding {
public:
    explicit RotaryEmbedding(const LlmConfig& config);
    /// q or k [heads, T, headDim] rotated for absolute positions start..start+T-1.
    Tensor apply(const Tensor& x, std::int64_t start) const;
    /// The same for explicit positions [T] (int64, on x's device).
    Tensor apply(const Tensor& x, const Tensor& positions) const;

private:
    Tensor m_invFreq;  ///< [rotaryDim / 2], float32, on CPU; moved to the input's device on use
    std::int64_t m_rotaryDim;
    bool m_interleaved;
};

}  // namespace egmf::model
