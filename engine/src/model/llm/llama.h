#pragma once
// The Llama family (Llama-2/3, Qwen2, Mistral) as transformers' modeling_llama computes it:
// separate q/k/v projections (biases for Qwen2), rotate_half rotary embeddings over the whole
// head, gate/up/down SwiGLU MLP, tied or separate lm_head. Submodule names are the Hugging Face
// keys (model.embed_tokens, model.layers.N.self_attn.q_proj, ..., lm_head).

#include "causal_lm.h"

namespace egmf::model {

class LlamaAttentionImpl : public torch::nn::Module {
public:
    LlamaAttentionImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    /// x [T, hidden] at `positions` [T]; the cache and `blocked` as attendWithCache.
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

class LlamaDecoderLayerImpl : public DecoderLayerImpl {
public:
    LlamaDecoderLayerImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& h, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                   const Tensor& blocked) override;
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

class LlamaForCausalLMImpl : public CausalLmImpl {
public:
    LlamaForCausalLMImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor embed(const Tensor& ids) override;

    LlamaModel model{nullptr};
    LoraLinear lm_head{nullptr};  ///< null when tie_word_embeddings; never has an adapter

protected:
    std::size_t layerCount() const override { return model->layers->size(); }
    DecoderLayerImpl& layer(std::size_t index) override { return *model->layers->ptr<LlamaDecoderLayerImpl>(index); }
    Tensor finalNorm(const Tensor& h) override { return model->norm->forward(h); }
    Tensor outputWeight() override { return lm_head ? lm_head->weight : model->embed_tokens->weight; }
};
TORCH_MODULE(LlamaForCausalLM);

}  // namespace egmf::model
