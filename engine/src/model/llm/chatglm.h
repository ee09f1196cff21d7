#pragma once
// ChatGLM3 (THUDM's modeling_chatglm.py) under its Hugging Face names:
//   transformer.embedding.word_embeddings       the padded vocabulary (65,024 rows for 6B)
//   transformer.encoder.layers.N
//     input_layernorm, post_attention_layernorm  RMSNorm
//     self_attention.query_key_value             one fused projection, rows [all q; all k; all v],
//                                                with a bias (the only one in the model)
//     self_attention.dense                       the output projection
//     mlp.dense_h_to_4h                          [gate; up] fused: silu(first half) * second half
//     mlp.dense_4h_to_h
//   transformer.encoder.final_layernorm
//   transformer.output_layer                     untied
// Multi-query groups: multi_query_group_num key/value heads, each shared by consecutive query
// heads. Rotary embeddings turn the first half of each head's dimensions only, in adjacent
// pairs, at base 10000 x rope_ratio (rope.h). LoRA adapters sit on these projections as PEFT names
// them (query_key_value, ...).

#include "causal_lm.h"

namespace egmf::model {

class GlmSelfAttentionImpl : public torch::nn::Module {
public:
    GlmSelfAttentionImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& x, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                   const Tensor& blocked);
    LoraLinear query_key_value{nullptr}, dense{nullptr};

private:
    std::int64_t m_heads, m_groups, m_headDim;
};
TORCH_MODULE(GlmSelfAttention);

class GlmMlpImpl : public torch::nn::Module {
public:
    GlmMlpImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& x);
    LoraLinear dense_h_to_4h{nullptr}, dense_4h_to_h{nullptr};
};
TORCH_MODULE(GlmMlp);

class GlmBlockImpl : public DecoderLayerImpl {
public:
    GlmBlockImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& h, const RotaryEmbedding& rope, const Tensor& positions, Tensor& keys, Tensor& values,
                   const Tensor& blocked) override;
    RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    GlmSelfAttention self_attention{nullptr};
    GlmMlp mlp{nullptr};
};
TORCH_MODULE(GlmBlock);

class GlmEmbeddingImpl : public torch::nn::Module {
public:
    explicit GlmEmbeddingImpl(const LlmConfig& config);
    TokenEmbedding word_embeddings{nullptr};
};
TORCH_MODULE(GlmEmbedding);

class GlmTransformerImpl : public torch::nn::Module {
public:
    GlmTransformerImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    torch::nn::ModuleList layers{nullptr};
    RmsNorm final_layernorm{nullptr};
};
TORCH_MODULE(GlmTransformer);

class ChatGlmModelImpl : public torch::nn::Module {
public:
    ChatGlmModelImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    GlmEmbedding embedding{nullptr};
    GlmTransformer encoder{nullptr};
    LoraLinear output_layer{nullptr};  ///< never has an adapter
};
TORCH_MODULE(ChatGlmModel);

class ChatGlmForConditionalGenerationImpl : public CausalLmImpl {
public:
    ChatGlmForConditionalGenerationImpl(const LlmConfig& config, const std::optional<LoraConfig>& lora);
    Tensor embed(const Tensor& ids) override { return transformer->embedding->word_embeddings->forward(ids); }

    ChatGlmModel transformer{nullptr};

protected:
    std::size_t layerCount() const override { return transformer->encoder->layers->size(); }
    DecoderLayerImpl& layer(std::size_t index) override { return *transformer->encoder->layers->ptr<GlmBlockImpl>(index); }
    Tensor finalNorm(const Tensor& h) override { return transformer->encoder->final_layernorm->forward(h); }
    Tensor outputWeight() override { return transformer->output_layer->weight; }
};
TORCH_MODULE(ChatGlmForConditionalGeneration);

}  // namespace egmf::model
