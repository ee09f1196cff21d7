#include "gguf_export.h"

#include <map>

#include "egmf/app/gguf_writer.h"

namespace egmf::model {
namespace {

/// Parameter -> float32 contiguous weights with any LoRA adapter merged (W + scale B A).
std::map<std::string, Tensor> mergedWeights(CausalLmImpl& llm) {
    std::map<std::string, Tensor> weights;
    for (const auto& item : llm.named_parameters(true)) {
        if (item.key().find(".lora_") == std::string::npos)
            weights[item.key()] = item.value().detach().to(at::kCPU, at::kFloat).contiguous();
    }
    for (const auto& item : llm.named_modules()) {
        const auto* linear = item.value()->as<LoraLinearImpl>();
        if (linear && linear->hasAdapter()) {
            auto& weight = weights[item.key() + ".weight"];
            weight = (weight + linear->adapterDelta().to(at::kCPU, at::kFloat)).contiguous();
        }
    }
    return weights;
}

/// llama.cpp's converter (LlamaModel.permute): rows of each head reordered so that its adjacent-pair
/// rope turns what transformers' rotate_half turns; a bias's entries move with their rows.
Tensor permuteForPairs(const Tensor& w, std::int64_t heads) {
    const auto columns = w.dim() == 2 ? w.size(1) : 1;
    return w.reshape({heads, 2, w.size(0) / heads / 2, columns}).transpose(1, 2).reshape(w.sizes()).contiguous();
}

std::string architectureOf(const LlmConfig& c) {
    if (c.isChatGlm()) return "chatglm";
    return c.modelType == "qwen2" ? "qwen2" : "llama";
}

}  // namespace

Result<void> writeGguf(CausalLmImpl& llm, const std::filesystem::path& path) {
    const auto& c = llm.config();
    if (c.ropeType != "default") {
        return makeError(ErrorCode::Unsupported, path.string() + ": rope scaling \"" + c.ropeType + "\" is not written to GGUF yet");
    }
    auto weights = mergedWeights(llm);
    const auto arch = architectureOf(c);
    checkpoint::GgufWriter gguf;
    const auto u32 = [](std::int64_t value) { return static_cast<std::uint32_t>(value); };
    gguf.setString("general.architecture", arch);
    gguf.setString("general.name", "egmf-" + arch);
    gguf.setUint32("general.alignment", checkpoint::GgufWriter::kAlignment);
    gguf.setUint32(arch + ".context_length", 8192);
    gguf.setUint32(arch + ".embedding_length", u32(c.hiddenSize));
    gguf.setUint32(arch + ".feed_forward_length", u32(c.intermediateSize));
    gguf.setUint32(arch + ".block_count", u32(c.numHiddenLayers));
    gguf.setUint32(arch + ".attention.head_count", u32(c.numAttentionHeads));
    gguf.setUint32(arch + ".attention.head_count_kv", u32(c.numKeyValueHeads));
    gguf.setUint32(arch + ".attention.key_length", u32(c.effectiveHeadDim()));
    gguf.setUint32(arch + ".attention.value_length", u32(c.effectiveHeadDim()));
    gguf.setFloat32(arch + ".attention.layer_norm_rms_epsilon", static_cast<float>(c.rmsNormEps));
    gguf.setUint32(arch + ".rope.dimension_count", u32(c.rotaryDim()));
    gguf.setFloat32(arch + ".rope.freq_base", static_cast<float>(c.ropeTheta));
    gguf.setUint32(arch + ".vocab_size", u32(c.vocabSize));
    gguf.setString("tokenizer.ggml.model", "no_vocab");

    // llama.cpp's names against ours: the whole model's, then each layer's (after "blk.N." and
    // the family's layer prefix).
    using Names = std::vector<std::pair<std::string, std::string>>;
    const bool glm = c.isChatGlm();
    const Names global = glm ? Names{{"token_embd.weight", "transformer.embedding.word_embeddings.weight"},
                                     {"output_norm.weight", "transformer.encoder.final_layernorm.weight"},
                                     {"output.weight", "transformer.output_layer.weight"}}
                             : Names{{"token_embd.weight", "model.embed_tokens.weight"},
                                     {"output_norm.weight", "model.norm.weight"},
                                     {"output.weight", "lm_head.weight"}};  // absent when tied: llama.cpp reuses token_embd
    const Names perLayer =
        glm ? Names{{"attn_norm.weight", "input_layernorm.weight"},           {"attn_qkv.weight", "self_attention.query_key_value.weight"},
                    {"attn_qkv.bias", "self_attention.query_key_value.bias"}, {"attn_output.weight", "self_attention.dense.weight"},
                    {"ffn_norm.weight", "post_attention_layernorm.weight"},   {"ffn_up.weight", "mlp.dense_h_to_4h.weight"},
                    {"ffn_down.weight", "mlp.dense_4h_to_h.weight"}}
            : Names{{"attn_norm.weight", "input_layernorm.weight"},
                    {"attn_q.weight", "self_attn.q_proj.weight"},
                    {"attn_k.weight", "self_attn.k_proj.weight"},
                    {"attn_v.weight", "self_attn.v_proj.weight"},
                    {"attn_q.bias", "self_attn.q_proj.bias"},
                    {"attn_k.bias", "self_attn.k_proj.bias"},
                    {"attn_v.bias", "self_attn.v_proj.bias"},
                    {"attn_output.weight", "self_attn.o_proj.weight"},
                    {"ffn_norm.weight", "post_attention_layernorm.weight"},
                    {"ffn_gate.weight", "mlp.gate_proj.weight"},
                    {"ffn_up.weight", "mlp.up_proj.weight"},
                    {"ffn_down.weight", "mlp.down_proj.weight"}};
    std::vector<Tensor> kept;  // the writer holds spans into these until it has written them
    const auto add = [&](const std::string& name, const std::string& ours) {
        const auto found = weights.find(ours);
        if (found == weights.end()) return;  // an optional tensor (a bias, an untied head)
        auto tensor = found->second;
        if (arch == "llama" && (name.ends_with("attn_q.weight") || name.ends_with("attn_q.bias")))
            tensor = permuteForPairs(tensor, c.numAttentionHeads);
        if (arch == "llama" && (name.ends_with("attn_k.weight") || name.ends_with("attn_k.bias")))
            tensor = permuteForPairs(tensor, c.numKeyValueHeads);
        kept.push_back(tensor);
        gguf.addTensor(name, tensor.sizes().vec(), {tensor.data_ptr<float>(), static_cast<std::size_t>(tensor.numel())});
    };
    add(global[0].first, global[0].second);
    for (std::int64_t i = 0; i < c.numHiddenLayers; ++i) {
        const auto layer = (glm ? "transformer.encoder.layers." : "model.layers.") + std::to_string(i) + ".";
        for (const auto& [name, ours] : perLayer) add("blk." + std::to_string(i) + "." + name, layer + ours);
    }
    for (std::size_t k = 1; k < global.size(); ++k) add(global[k].first, global[k].second);
    return gguf.write(path);
}

}  // namespace egmf::model
