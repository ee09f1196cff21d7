#pragma once
// The decoder-only LLM inside EGMF, whatever its family: a stack of pre-norm decoder layers
// (RMSNorm, rotary self-attention with grouped or multi-query heads, SwiGLU MLP) between token
// embeddings and a vocabulary projection. The families differ in their Hugging Face names, their
// fused or separate projections and their rotary layout, not in what a pass computes, so this base
// runs the passes (KV cache, branches, activation checkpointing, logits) and each family
// (llama.h: Llama, Qwen2, Mistral; chatglm.h: ChatGLM3) builds its modules under the names its
// checkpoints use, so Hugging Face weights load as they are. Unbatched: one sequence of
// [T, hidden] embeddings. Incremental decoding goes through a KvCache that forward() extends
// without modifying the tensors it was given, so a prompt's cache can be shared by several
// continuations (generation, label scoring).

#include <memory>
#include <optional>
#include <vector>

#include "../torch_nn.h"
#include "egmf/manifest.h"
#include "lora_linear.h"
#include "rope.h"

namespace egmf::model {

struct KvCache {
    std::vector<Tensor> keys, values;  ///< per layer [kvHeads, length, headDim]
    std::int64_t length = 0;
};

class RmsNormImpl : public torch::nn::Module {
public:
    /// `scaleInFloat`: the weight multiplies the float32 normalised values and the product is
    /// rounded once (ChatGLM's RMSNorm); otherwise the values are rounded first (transformers' Llama).
    RmsNormImpl(std::int64_t dim, double eps, bool scaleInFloat = false);
    Tensor forward(const Tensor& x);
    Tensor weight;

private:
    double m_eps;
    bool m_scaleInFloat;
};
TORCH_MODULE(RmsNorm);

/// nn.Embedding's weight and lookup, with the weight made by baseWeight (N(0, 1), as nn.Embedding).
class TokenEmbeddingImpl : public torch::nn::Module {
public:
    TokenEmbeddingImpl(std::int64_t count, std::int64_t dim);
    Tensor forward(const Tensor& ids) { return at::embedding(weight, ids); }
    Tensor weight;
};
TORCH_MODULE(TokenEmbedding);

/// Attention of rotated queries q [heads, T, headDim] over the cached keys/values plus this pass's
/// k, v [kvHeads, T, headDim]: `keys`/`values` are replaced by new tensors with these T appended;
/// `blocked` [T, past + T] marks the keys each query may not see (undefined: all visible). Each
/// group of heads / kvHeads consecutive query heads shares one key/value head. Returns [T, heads * headDim].
Tensor attendWithCache(const Tensor& q, const Tensor& k, const Tensor& v, Tensor& keys, Tensor& values, const Tensor& blocked);

/// One pre-norm decoder layer: h + attention(norm(h)), then + mlp(norm(...)).
class DecoderLayerImpl : public torch::nn::Module {
public:
    /// `keys`/`values` as attendWithCache; undefined for a pass without a cache.
    virtual Tensor forward(const Tensor& h, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                           const Tensor& blocked) = 0;
};

class CausalLmImpl : public torch::nn::Module {
public:
    explicit CausalLmImpl(const LlmConfig& config);

    /// Token embeddings for ids [T] (int64).
    virtual Tensor embed(const Tensor& ids) = 0;
    /// Runs [T, hidden] embeddings after what `cache` holds and returns the final hidden states
    /// [T, hidden]; `cache` is replaced by the extended one.
    Tensor forward(const Tensor& embeddings, KvCache& cache);
    /// Several independent continuations of `prefix` in one pass ("tree attention"): rows of
    /// `embeddings` sit at `positions` and see the prefix plus the rows `blocked` leaves open
    /// ([T, prefix.length + T], true = hidden). The prefix cache is left as it was.
    Tensor forwardBranches(const Tensor& embeddings, const KvCache& prefix, const Tensor& positions, const Tensor& blocked);
    /// Vocabulary logits for hidden states [T, hidden], in float32; ids at or above the vocabulary
    /// limit get -inf.
    Tensor logits(const Tensor& hidden);

    /// Ids from `count` on are padding rows of an embedding larger than the tokenizer (ChatGLM3:
    /// 65,024 rows for 64,798 tokens): no token the tokenizer could decode, so generation never
    /// picks them and label scores are normalised without them. Only for a family whose config
    /// says its vocabulary is padded (LlmConfig::vocabularyIsPadded); a no-op otherwise.
    void limitVocabulary(std::int64_t count);
    const LlmConfig& config() const { return m_config; }
    /// Training passes keep only each layer's input and run the layer again in the backward pass
    /// (layer_checkpoint.h): less memory for a large base, about a third more compute.
    void setActivationCheckpointing(bool on) { m_checkpointLayers = on; }

protected:
    virtual std::size_t layerCount() const = 0;
    virtual DecoderLayerImpl& layer(std::size_t index) = 0;
    virtual Tensor finalNorm(const Tensor& h) = 0;
    virtual Tensor outputWeight() = 0;

private:
    Tensor run(const Tensor& embeddings, KvCache& cache, const Tensor& positions, const Tensor& blocked);

    LlmConfig m_config;
    RotaryEmbedding m_rope;
    bool m_checkpointLayers = false;
    Tensor m_padding;  ///< [vocab] bool, true for padding ids; undefined when there are none
};

/// The family `config.modelType` names (llama, qwen2, mistral: llama.h; chatglm: chatglm.h).
std::shared_ptr<CausalLmImpl> makeCausalLm(const LlmConfig& config, const std::optional<LoraConfig>& lora);

}  // namespace egmf::model
