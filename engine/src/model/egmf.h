#pragma once
// The whole EGMF model (MODEL.md, Algorithm 1 of the paper), as stages the analyzer times and
// traces one by one:
//   encode    text ids -> H_t (frozen LLM embedding rows, text_proj); log-mel -> H_a; faces -> H_v
//   fuse      bidirectional cross-attention -> H_f over text, audio and visual positions
//   context   a GRU (or attention, or nothing) over pool(H_f) of the dialogue's utterances -> c_i
//   enhance   three experts + hierarchical gates -> H_enh
//   pseudo    W_p pool(H_enh) -> M pseudo tokens in the LLM's embedding space
// The operators, gates, context module and poolings are the manifest's EnhancerDesign.
// followed by the LLM (llm/causal_lm.h, llm/generation.h). Submodule names are the checkpoint keys.

#include <bitset>

#include "av_encoder.h"
#include "context_attention.h"
#include "context_gru.h"
#include "cross_attention.h"
#include "egmf/manifest.h"
#include "enhancer.h"
#include "llm/causal_lm.h"
#include "pooling.h"
#include "pseudo_tokens.h"

namespace egmf::model {

struct UtteranceInputs {
    Tensor textIds;  ///< [T_t] int64 (may be empty)
    Tensor audio;    ///< [frames, audioFeatureDim] (may have 0 frames)
    Tensor visual;   ///< [frames, visualFeatureDim] (may have 0 frames)
};

struct EncodedUtterance {
    Tensor text, audio, visual;  ///< H_t, H_a, H_v
    FusionOutput fusion;
    ModalitySpans spans{};
    Tensor pooled;  ///< pool(H_f) with the context's pooling [pooledDim]
};

class EgmfImpl : public torch::nn::Module {
public:
    explicit EgmfImpl(const Manifest& manifest);

    /// Encoders only (H_t, H_a, H_v); the empty ones stay [0, d].
    EncodedUtterance encode(const UtteranceInputs& inputs);
    /// Cross-attention into H_f, and its pooled vector. At least one modality must be non-empty.
    void fuse(EncodedUtterance& utterance);
    /// [utterances, pooledDim] pooled vectors -> what the dialogue tells each utterance:
    /// [utterances, contextDim (+ d for a dialogue_gru global expert, its state)].
    Tensor dialogueContext(const Tensor& pooled);
    EnhancerOutput enhance(const EncodedUtterance& utterance, const Tensor& context, const std::bitset<3>& disabledExperts);
    Tensor pseudoTokens(const Tensor& enhanced, const ModalitySpans& spans) { return pseudo_tokens->forward(enhanced, spans); }
    /// The width of a pooled utterance (what an utterance that failed contributes as zeros).
    std::int64_t pooledDim() const { return m_manifest.pooledDim(m_manifest.design.contextPooling); }
    /// [prefix ; pseudo ; suffix] as LLM input embeddings.
    Tensor promptEmbeddings(const Tensor& prefixIds, const Tensor& pseudo, const Tensor& suffixIds);

    at::TensorOptions options() const { return text_proj->weight.options(); }
    const Manifest& manifest() const { return m_manifest; }

    AvEncoder av_encoder{nullptr};
    torch::nn::Linear text_proj{nullptr};
    CrossModalFusion fusion{nullptr};
    UtterancePool context_pool{nullptr};
    ContextGru context_gru{nullptr};              ///< context "gru"
    ContextAttention context_attention{nullptr};  ///< context "attention"
    AdaptiveFeatureEnhancer enhancer{nullptr};
    PseudoTokens pseudo_tokens{nullptr};
    std::shared_ptr<CausalLmImpl> llm;

private:
    Manifest m_manifest;
};
TORCH_MODULE(Egmf);

}  // namespace egmf::model
