#pragma once
// A Llama-family decoder (Llama-2/3, Qwen2, Mistral) as transformers' modeling_llama computes it:
// RMSNorm in float32, rotary embeddings (rope.h), grouped-query attention with optional q/k/v
// biases, SwiGLU MLP, tied or separate lm_head. Submodule names are the Hugging Face keys
// (model.embed_tokens, model.layers.N.self_attn.q_proj, ..., lm_head) so HF weights load as they
// are. Unbatched: one sequence of [T, hidden] embeddings. Incremental decoding goes through a
// KvCache that forward() extends without modifying the tensors it was given, so a prompt's cache
// can be shared by several continuations (generation, label scoring).

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
    RmsNormImpl(std::int64_t dim, double eps);
    Tensor forward(const Tensor& x);
    Tensor weight;

private:
    double m_eps;
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

class LlamaAttentionImpl : public torch::nn::Module {
public:
    LlamaAttentionImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    /// x [T, hidden] at `positions` [T]; `keys`/`values` hold the earlier positions (or are
    /// undefined) and are replaced by new tensors with these T appended; `blocked` [T, past + T]
    /// marks the keys each query may not see (undefined: all visible).
    Tensor forward(const Tensor& x, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                   const Tensor& blocked);
    LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

private:
    std::int64_t m_heads, m_kvHeads, m_headDim;
};
TORCH_MODULE(LlamaAttention);

class LlamaMlpImpl : public torch::nn::Module {
public:
    LlamaMlpImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& x);
    LoraLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(LlamaMlp);

class LlamaDecoderLayerImpl : public torch::nn::Module {
public:
    LlamaDecoderLayerImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    LlamaAttention self_attn{nullptr};
    LlamaMlp mlp{nullptr};
    RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

class LlamaModelImpl : public torch::nn::Module {
public:
    LlamaModelImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    TokenEmbedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RmsNorm norm{nullptr};
};
TORCH_MODULE(LlamaModel);

class LlamaForCausalLMImpl : public torch::nn::Module {
public:
    LlamaForCausalLMImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);

    /// Token embeddings for ids [T] (int64).
    Tensor embed(const Tensor& ids);
    /// Runs [T, hidden] embeddings after what `cache` holds and returns the final hidden states
    /// [T, hidden]; `cache` is replaced by the extended one.
    Tensor forward(const Tensor& embeddings, KvCache& cache);
    /// Several independent continuations of `prefix` in one pass ("tree attention"): rows of
    /// `embeddings` sit at `positions` and see the prefix plus the rows `blocked` leaves open
    /// ([T, prefix.length + T], true = hidden). The prefix cache is left as it was.
    Tensor forwardBranches(const Tensor& embeddings, const KvCache& prefix, const Tensor& positions, const Tensor& blocked);
    /// Vocabulary logits for hidden states [T, hidden], in float32.
    Tensor logits(const Tensor& hidden);

    const LlmConfig& config() const { return m_config; }
    /// Training passes keep only each layer's input and run the layer again in the backward pass
    /// (layer_checkpoint.h): less memory for a large base, about a third more compute.
    void setActivationCheckpointing(bool on) { m_checkpointLayers = on; }

    LlamaModel model{nullptr};
    LoraLinear lm_head{nullptr};  ///< null when tie_word_embeddings; never has an adapter

private:
    Tensor run(const Tensor& embeddings, KvCache& cache, const Tensor& positions, const Tensor& blocked);

    LlmConfig m_config;
    RotaryEmbedding m_rope;
    bool m_checkpointLayers = false;
};
TORCH_MODULE(LlamaForCausalLM);

}  // namespace egmf::model
