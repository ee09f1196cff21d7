// manifest.json <-> egmf::Manifest. Every field is optional with MODEL.md's default; a field of the
// wrong type or an impossible value is an error naming the field and the file.
#include "egmf/manifest.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/strict_json.h"
#include "egmf/analysis.h"

namespace egmf {
namespace {

using nlohmann::json;

// Thrown inside this file only; parseManifest turns it into an Error.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <typename T>
void read(const json& object, const char* key, T& out, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return;
    }
    try {
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) {
                throw FieldError("expected true or false");
            }
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (!it->is_number()) {
                throw FieldError("expected a number");
            }
            if constexpr (std::is_integral_v<T>) {
                if (!it->is_number_integer()) {
                    throw FieldError("expected an integer");
                }
            }
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!it->is_string()) {
                throw FieldError("expected a string");
            }
        }
        out = it->get<T>();
    } catch (const std::exception& e) {
        throw FieldError(where + key + ": " + e.what());
    }
}

const json& section(const json& root, const char* key) {
    static const json kEmpty = json::object();
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) {
        return kEmpty;
    }
    if (!it->is_object()) {
        throw FieldError(std::string(key) + ": expected an object");
    }
    return *it;
}

void requirePositive(std::int64_t value, const char* name) {
    if (value <= 0 || value > (std::int64_t{1} << 24)) {
        throw FieldError(std::string(name) + ": must be a positive size, got " + std::to_string(value));
    }
}

LlmConfig checkLlmShape(LlmConfig l);

void readEndTokens(const json& c, LlmConfig& l) {
    read(c, "bos_token_id", l.bosTokenId, "llm.");
    if (auto eos = c.find("eos_token_id"); eos != c.end() && eos->is_array() && !eos->empty()) {
        // Llama-3 lists several end tokens; generation stops at the first, the one answers end with.
        json first = {{"eos_token_id", eos->front()}};
        read(first, "eos_token_id", l.eosTokenId, "llm.");
    } else {
        read(c, "eos_token_id", l.eosTokenId, "llm.");
    }
    read(c, "torch_dtype", l.torchDtype, "llm.");
    read(c, "dtype", l.torchDtype, "llm.");  // transformers >= 5
    if (l.torchDtype != "float32" && l.torchDtype != "float16" && l.torchDtype != "bfloat16") {
        throw FieldError("llm.torch_dtype \"" + l.torchDtype + "\" is not supported (float32, float16, bfloat16)");
    }
}

/// A ChatGLM option that must hold the value ChatGLM3 uses for the engine to compute what
/// modeling_chatglm.py does.
void requireGlmOption(const json& c, const char* key, bool expected, const char* what) {
    bool value = expected;
    read(c, key, value, "llm.");
    if (value != expected) {
        throw FieldError(std::string("llm.") + key + " = " + (value ? "true" : "false") + " is not supported (" + what + ")");
    }
}

/// ChatGLM3's config.json (modeling_chatglm.py's ChatGLMConfig) into the common fields.
LlmConfig chatGlmFromJson(const json& c) {
    LlmConfig l;
    l.modelType = "chatglm";
    l.vocabSize = 65024;
    read(c, "vocab_size", l.vocabSize, "llm.");
    read(c, "padded_vocab_size", l.vocabSize, "llm.");  // the embedding's rows: the tokenizer's ids and padding
    read(c, "hidden_size", l.hiddenSize, "llm.");
    read(c, "ffn_hidden_size", l.intermediateSize, "llm.");
    read(c, "num_layers", l.numHiddenLayers, "llm.");
    read(c, "num_attention_heads", l.numAttentionHeads, "llm.");
    read(c, "kv_channels", l.headDim, "llm.");
    bool multiQuery = false;
    read(c, "multi_query_attention", multiQuery, "llm.");
    l.numKeyValueHeads = l.numAttentionHeads;
    if (multiQuery) {
        l.numKeyValueHeads = 1;
        read(c, "multi_query_group_num", l.numKeyValueHeads, "llm.");
    }
    l.rmsNormEps = 1e-5;
    read(c, "layernorm_epsilon", l.rmsNormEps, "llm.");
    double ropeRatio = 1.0;
    read(c, "rope_ratio", ropeRatio, "llm.");
    if (!(ropeRatio > 0)) throw FieldError("llm.rope_ratio must be positive");
    l.ropeTheta = 10000.0 * ropeRatio;  // RotaryEmbedding's base times rope_ratio
    read(c, "add_qkv_bias", l.attentionBias, "llm.");
    requireGlmOption(c, "add_bias_linear", false, "biases on every projection; ChatGLM3 has them on query_key_value only");
    requireGlmOption(c, "rmsnorm", true, "LayerNorm blocks; ChatGLM3 uses RMSNorm");
    requireGlmOption(c, "apply_residual_connection_post_layernorm", false, "post-norm residuals");
    requireGlmOption(c, "post_layer_norm", true, "a model without its final_layernorm");
    requireGlmOption(c, "original_rope", true, "the rotary variant ChatGLM3 ships");
    requireGlmOption(c, "tie_word_embeddings", false, "ChatGLM3's output_layer is a weight of its own");
    readEndTokens(c, l);
    return l;
}

LlmConfig llmFromJson(const json& c) {
    LlmConfig l;
    read(c, "model_type", l.modelType, "llm.");
    if (l.modelType == "chatglm") return checkLlmShape(chatGlmFromJson(c));
    read(c, "vocab_size", l.vocabSize, "llm.");
    read(c, "hidden_size", l.hiddenSize, "llm.");
    read(c, "intermediate_size", l.intermediateSize, "llm.");
    read(c, "num_hidden_layers", l.numHiddenLayers, "llm.");
    read(c, "num_attention_heads", l.numAttentionHeads, "llm.");
    l.numKeyValueHeads = l.numAttentionHeads;
    read(c, "num_key_value_heads", l.numKeyValueHeads, "llm.");
    read(c, "head_dim", l.headDim, "llm.");
    read(c, "rms_norm_eps", l.rmsNormEps, "llm.");
    read(c, "rope_theta", l.ropeTheta, "llm.");
    read(c, "attention_bias", l.attentionBias, "llm.");
    if (l.modelType == "qwen2" && !c.contains("attention_bias")) {
        l.attentionBias = true;  // Qwen2 always has q/k/v biases; its config.json omits the key
    }
    read(c, "tie_word_embeddings", l.tieWordEmbeddings, "llm.");
    readEndTokens(c, l);

    // transformers >= 5 writes rope_parameters (with rope_theta inside); older ones rope_scaling.
    const json* rope = nullptr;
    for (const char* key : {"rope_parameters", "rope_scaling"}) {
        auto it = c.find(key);
        if (it != c.end() && it->is_object()) {
            rope = &*it;
            break;
        }
    }
    if (rope) {
        read(*rope, "rope_theta", l.ropeTheta, "llm.rope.");
        std::string type = "default";
        read(*rope, "type", type, "llm.rope.");
        read(*rope, "rope_type", type, "llm.rope.");
        if (type != "default" && type != "linear" && type != "llama3") {
            throw FieldError("llm.rope_type \"" + type + "\" is not supported (supported: default, linear, llama3)");
        }
        l.ropeType = type;
        read(*rope, "factor", l.ropeFactor, "llm.rope.");
        read(*rope, "low_freq_factor", l.ropeLowFreqFactor, "llm.rope.");
        read(*rope, "high_freq_factor", l.ropeHighFreqFactor, "llm.rope.");
        read(*rope, "original_max_position_embeddings", l.ropeOriginalMaxPositions, "llm.rope.");
    }
    if (l.modelType != "llama" && l.modelType != "qwen2" && l.modelType != "mistral") {
        throw FieldError("llm.model_type \"" + l.modelType + "\" is not supported (supported: llama, qwen2, mistral, chatglm)");
    }
    return checkLlmShape(l);
}

LlmConfig checkLlmShape(LlmConfig l) {
    requirePositive(l.vocabSize, "llm.vocab_size");
    requirePositive(l.hiddenSize, "llm.hidden_size");
    requirePositive(l.intermediateSize, "llm.intermediate_size");
    requirePositive(l.numHiddenLayers, "llm.num_hidden_layers");
    requirePositive(l.numAttentionHeads, "llm.num_attention_heads");
    requirePositive(l.numKeyValueHeads, "llm.num_key_value_heads");
    if (l.numAttentionHeads % l.numKeyValueHeads != 0) {
        throw FieldError("llm.num_attention_heads must be a multiple of num_key_value_heads");
    }
    if (l.headDim < 0 || l.headDim > 4096) {
        throw FieldError("llm.head_dim must be between 0 (derived) and 4096");
    }
    if (l.headDim == 0 && l.hiddenSize % l.numAttentionHeads != 0) {
        throw FieldError("llm.hidden_size must be a multiple of num_attention_heads");
    }
    if (l.isChatGlm() && l.effectiveHeadDim() % 4 != 0) {
        throw FieldError("llm.kv_channels must be a multiple of 4 (ChatGLM turns pairs in the first half of each head)");
    }
    if (l.effectiveHeadDim() % 2 != 0) {
        throw FieldError("llm.head_dim must be even (rotary embeddings pair dimensions)");
    }
    return l;
}

/// ChatGLM3's config.json names (what its modeling_chatglm.py reads).
json chatGlmToJson(const LlmConfig& l) {
    return {{"model_type", "chatglm"},
            {"architectures", {"ChatGLMModel"}},
            {"padded_vocab_size", l.vocabSize},
            {"hidden_size", l.hiddenSize},
            {"ffn_hidden_size", l.intermediateSize},
            {"num_layers", l.numHiddenLayers},
            {"num_attention_heads", l.numAttentionHeads},
            {"kv_channels", l.effectiveHeadDim()},
            {"multi_query_attention", l.numKeyValueHeads != l.numAttentionHeads},
            {"multi_query_group_num", l.numKeyValueHeads},
            {"layernorm_epsilon", l.rmsNormEps},
            {"rope_ratio", l.ropeTheta / 10000.0},
            {"add_qkv_bias", l.attentionBias},
            {"add_bias_linear", false},
            {"rmsnorm", true},
            {"apply_residual_connection_post_layernorm", false},
            {"post_layer_norm", true},
            {"original_rope", true},
            {"tie_word_embeddings", false},
            {"seq_length", 8192},
            {"bos_token_id", l.bosTokenId},
            {"eos_token_id", l.eosTokenId},
            {"pad_token_id", 0},
            {"torch_dtype", l.torchDtype}};
}

json llmToJson(const LlmConfig& l) {
    if (l.isChatGlm()) return chatGlmToJson(l);
    json c = {{"model_type", l.modelType},
              {"vocab_size", l.vocabSize},
              {"hidden_size", l.hiddenSize},
              {"intermediate_size", l.intermediateSize},
              {"num_hidden_layers", l.numHiddenLayers},
              {"num_attention_heads", l.numAttentionHeads},
              {"num_key_value_heads", l.numKeyValueHeads},
              {"rms_norm_eps", l.rmsNormEps},
              {"rope_theta", l.ropeTheta},
              {"attention_bias", l.attentionBias},
              {"tie_word_embeddings", l.tieWordEmbeddings},
              {"bos_token_id", l.bosTokenId},
              {"eos_token_id", l.eosTokenId},
              {"torch_dtype", l.torchDtype}};
    if (l.headDim > 0) {
        c["head_dim"] = l.headDim;
    }
    if (l.ropeType != "default") {
        c["rope_scaling"] = {{"rope_type", l.ropeType},
                             {"factor", l.ropeFactor},
                             {"low_freq_factor", l.ropeLowFreqFactor},
                             {"high_freq_factor", l.ropeHighFreqFactor},
                             {"original_max_position_embeddings", l.ropeOriginalMaxPositions}};
    }
    return c;
}

/// One of `allowed` for a design field, or an error naming the field and the choices.
void readChoice(const json& object, const char* key, std::string& out, const std::string& where,
                std::initializer_list<const char*> allowed) {
    read(object, key, out, where);
    std::string names;
    for (const char* name : allowed) {
        if (out == name) return;
        names += (names.empty() ? "" : ", ") + std::string(name);
    }
    throw FieldError(where + key + ": \"" + out + "\" is not one of " + names);
}

void readDesignFields(const json& root, EnhancerDesign& d) {
    const json& enhancer = section(root, "enhancer");
    const json& context = section(root, "context");
    const json& pooling = section(root, "pooling");
    readChoice(enhancer, "local", d.local, "enhancer.", {"conv", "window_attention"});
    readChoice(enhancer, "global", d.global, "enhancer.", {"mean", "attention", "dialogue_gru"});
    readChoice(enhancer, "gates", d.gates, "enhancer.", {"parallel", "sequential"});
    read(enhancer, "modality_gate", d.modalityGate, "enhancer.");
    readChoice(context, "module", d.context, "context.", {"gru", "attention", "none"});
    readChoice(pooling, "context", d.contextPooling, "pooling.", {"mean", "modality_mean", "attention"});
    readChoice(pooling, "pseudo_tokens", d.pseudoPooling, "pooling.", {"mean", "modality_mean", "attention"});
}

/// The enhancer's design (EnhancerDesign): "enhancer", "context.module" and "pooling", format 3 on.
void readDesign(const json& root, Manifest& m) {
    readDesignFields(root, m.design);
    // An older manifest may spell out MODEL.md's design, not another one.
    if (m.formatVersion < 3 && !(m.design == EnhancerDesign{})) {
        throw FieldError("enhancer, context.module and pooling: another design than MODEL.md's needs format_version 3");
    }
    if (m.design.global == "dialogue_gru" && m.fusionDim % 2 != 0) {
        throw FieldError("enhancer.global: dialogue_gru needs an even fusion.dim (a GRU of half of it each way)");
    }
}

Manifest manifestFromJson(const json& root) {
    if (!root.is_object()) {
        throw FieldError("the top level must be an object");
    }
    Manifest m;
    read(root, "format_version", m.formatVersion, "");
    if (m.formatVersion < kOldestManifestFormatVersion || m.formatVersion > kManifestFormatVersion) {
        throw FieldError("format_version " + std::to_string(m.formatVersion) + " is not supported (this build reads versions " +
                         std::to_string(kOldestManifestFormatVersion) + " to " + std::to_string(kManifestFormatVersion) +
                         "); update EGMF Studio");
    }
    if (auto it = root.find("modalities"); it != root.end()) {
        if (m.formatVersion < 2) throw FieldError("modalities: needs format_version 2");
        if (!it->is_array() || it->empty()) throw FieldError("modalities: expected a non-empty list of \"text\", \"audio\", \"visual\"");
        m.modalities = {false, false, false};
        for (const auto& name : *it) {
            const std::string value = name.is_string() ? name.get<std::string>() : name.dump();
            if (value == "text")
                m.modalities.text = true;
            else if (value == "audio")
                m.modalities.audio = true;
            else if (value == "visual")
                m.modalities.visual = true;
            else
                throw FieldError("modalities: \"" + value + "\" is not one of text, audio, visual");
        }
    }
    read(root, "architecture", m.architecture, "");
    if (!isKnownArchitecture(m.architecture)) {
        throw FieldError("architecture \"" + m.architecture + "\" is not supported (supported: egmf, merits-l)");
    }
    std::string task = "classification";
    read(root, "task", task, "");
    if (task == "classification") {
        m.task = Task::Classification;
    } else if (task == "regression") {
        m.task = Task::Regression;
    } else {
        throw FieldError("task must be \"classification\" or \"regression\", got \"" + task + "\"");
    }
    read(root, "labels", m.labels, "");
    if (m.task == Task::Classification && m.labels.size() < 2) {
        throw FieldError("labels: a classification checkpoint needs at least two labels");
    }
    if (auto it = root.find("score_range"); it != root.end()) {
        if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number() || !(*it)[1].is_number()) {
            throw FieldError("score_range: expected [min, max]");
        }
        m.scoreMin = (*it)[0].get<double>();
        m.scoreMax = (*it)[1].get<double>();
    }

    const json& fusion = section(root, "fusion");
    read(fusion, "dim", m.fusionDim, "fusion.");
    read(fusion, "heads", m.fusionHeads, "fusion.");
    const json& audio = section(root, "audio");
    read(audio, "feature_dim", m.audioFeatureDim, "audio.");
    read(audio, "heads", m.audioHeads, "audio.");
    read(audio, "feed_forward", m.audioFeedForward, "audio.");
    read(audio, "frames_per_second", m.audioFramesPerSecond, "audio.");
    const json& visual = section(root, "visual");
    read(visual, "feature_dim", m.visualFeatureDim, "visual.");
    read(visual, "frames_per_second", m.visualFramesPerSecond, "visual.");
    const json& context = section(root, "context");
    read(context, "hidden", m.contextHidden, "context.");
    read(context, "bidirectional", m.contextBidirectional, "context.");
    const json& experts = section(root, "experts");
    read(experts, "ratios", m.expertRatios, "experts.");
    read(experts, "local_kernel", m.localKernel, "experts.");
    std::vector<std::string> removed;
    read(experts, "removed", removed, "experts.");
    auto removedSet = parseExpertNames(removed, "experts.removed");
    if (!removedSet) throw FieldError(removedSet.error().message);
    m.removedExperts = *removedSet;
    if (m.formatVersion < 3 && m.removedExperts.any()) throw FieldError("experts.removed: needs format_version 3");
    read(root, "pseudo_tokens", m.pseudoTokens, "");
    readDesign(root, m);

    for (auto [value, name] : {std::pair{m.fusionDim, "fusion.dim"},
                               {m.fusionHeads, "fusion.heads"},
                               {m.audioFeatureDim, "audio.feature_dim"},
                               {m.audioHeads, "audio.heads"},
                               {m.audioFeedForward, "audio.feed_forward"},
                               {m.visualFeatureDim, "visual.feature_dim"},
                               {m.contextHidden, "context.hidden"},
                               {m.localKernel, "experts.local_kernel"},
                               {m.pseudoTokens, "pseudo_tokens"}}) {
        requirePositive(value, name);
    }
    if (m.fusionDim % m.fusionHeads != 0 || m.fusionDim % m.audioHeads != 0) {
        throw FieldError("fusion.dim must be a multiple of fusion.heads and audio.heads");
    }
    if (m.localKernel % 2 == 0) {
        throw FieldError("experts.local_kernel must be odd, so positions stay aligned");
    }
    if (m.expertRatios.size() != 3) {
        throw FieldError("experts.ratios: expected three ratios (local, semantic, global)");
    }
    for (double r : m.expertRatios) {
        if (!(r > 0) || std::llround(r * static_cast<double>(m.fusionDim)) < 1 || r > 64) {
            throw FieldError("experts.ratios: each ratio must give a bottleneck of at least 1");
        }
    }
    if (!(m.audioFramesPerSecond > 0) || !(m.visualFramesPerSecond > 0)) {
        throw FieldError("frames_per_second must be positive");
    }

    const json& prompt = section(root, "prompt");
    m.prompt.templateText = m.task == Task::Classification ? defaultClassificationTemplate() : defaultRegressionTemplate();
    read(prompt, "template", m.prompt.templateText, "prompt.");
    read(prompt, "history_line", m.prompt.historyLine, "prompt.");
    read(prompt, "history_turns", m.prompt.historyTurns, "prompt.");
    read(prompt, "max_new_tokens", m.prompt.maxNewTokens, "prompt.");
    read(prompt, "score_decimals", m.prompt.scoreDecimals, "prompt.");
    const auto first = m.prompt.templateText.find("{multimodal}");
    if (first == std::string::npos || m.prompt.templateText.find("{multimodal}", first + 1) != std::string::npos) {
        throw FieldError("prompt.template must contain {multimodal} exactly once");
    }
    if (m.prompt.historyTurns < 0 || m.prompt.maxNewTokens < 1 || m.prompt.maxNewTokens > 4096 || m.prompt.scoreDecimals < 0 ||
        m.prompt.scoreDecimals > 6) {
        throw FieldError(
            "prompt: history_turns must be >= 0, max_new_tokens in 1..4096 and "
            "score_decimals in 0..6");
    }

    const json& tokenizer = section(root, "tokenizer");
    read(tokenizer, "kind", m.tokenizer.kind, "tokenizer.");
    read(tokenizer, "file", m.tokenizer.file, "tokenizer.");

    if (auto it = root.find("huggingface"); it != root.end() && !it->is_null()) {
        const json& hf = section(root, "huggingface");
        HuggingFaceParts parts;
        read(hf, "base_model", parts.baseModel, "huggingface.");
        read(hf, "adapter", parts.adapter, "huggingface.");
        read(hf, "fusion_weights", parts.fusionWeights, "huggingface.");
        if (parts.baseModel.empty() || parts.fusionWeights.empty()) {
            throw FieldError("huggingface: base_model (the Hugging Face LLM folder) and fusion_weights must name files");
        }
        m.huggingFace = parts;
    }
    if (m.huggingFace && !root.contains("llm")) {
        // Filled from the base model's config.json when the checkpoint is resolved.
    } else if (!root.contains("llm") || !root["llm"].is_object()) {
        throw FieldError("llm: missing (the language model's config.json fields)");
    } else {
        m.llm = llmFromJson(root["llm"]);
        if (m.llm.eosTokenId < 0 || m.llm.eosTokenId >= m.llm.vocabSize) {
            throw FieldError("llm.eos_token_id must be a token id of the vocabulary");
        }
    }

    if (auto it = root.find("lora"); it != root.end() && !it->is_null()) {
        if (!it->is_object()) {
            throw FieldError("lora: expected an object or null");
        }
        LoraConfig lora;
        read(*it, "r", lora.rank, "lora.");
        read(*it, "lora_alpha", lora.alpha, "lora.");
        read(*it, "lora_dropout", lora.dropout, "lora.");
        read(*it, "use_rslora", lora.useRslora, "lora.");
        read(*it, "target_modules", lora.targetModules, "lora.");
        requirePositive(lora.rank, "lora.r");
        if (!m.huggingFace) {  // a Hugging Face checkpoint's adapter is checked against its base when resolved
            if (auto fits = checkLoraTargets(lora, m.llm, "lora"); !fits) throw FieldError(fits.error().message);
        }
        m.lora = lora;
    }
    if (auto it = root.find("substitutes"); it != root.end() && !it->is_null()) {
        if (!it->is_object()) throw FieldError("substitutes: expected an object of part -> substitute");
        for (const auto& [part, substitute] : it->items()) {
            if (!substitute.is_string()) throw FieldError("substitutes." + part + ": expected a string");
            m.substitutes[part] = substitute.get<std::string>();
        }
    }
    if (auto it = root.find("provenance"); it != root.end()) {
        m.provenanceJson = it->dump();
    }
    return m;
}

}  // namespace

double LoraConfig::scale() const {
    return useRslora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / static_cast<double>(rank);
}

std::vector<std::string> loraTargetsOf(const LlmConfig& config) {
    if (config.isChatGlm()) return {"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"};
    return {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
}

std::vector<std::string> defaultLoraTargets(const LlmConfig& config) {
    if (config.isChatGlm()) return {"query_key_value"};
    return {"q_proj", "v_proj"};
}

Result<void> checkLoraTargets(const LoraConfig& lora, const LlmConfig& config, const std::string& sourceName) {
    const auto known = loraTargetsOf(config);
    for (const auto& target : lora.targetModules) {
        if (std::find(known.begin(), known.end(), target) == known.end()) {
            std::string names;
            for (const auto& name : known) names += (names.empty() ? "" : ", ") + name;
            return makeError(ErrorCode::Unsupported, sourceName + ": target_modules \"" + target + "\" is not a projection of the " +
                                                         config.modelType + " decoder (" + names + ")");
        }
    }
    return {};
}

std::vector<std::string> expertNames(const std::bitset<3>& experts) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < experts.size(); ++k) {
        if (experts[k]) names.push_back(kExpertNames[k]);
    }
    return names;
}

Result<std::bitset<3>> parseExpertNames(const std::vector<std::string>& names, const std::string& where) {
    std::bitset<3> experts;
    for (const auto& name : names) {
        const auto at = std::find(std::begin(kExpertNames), std::end(kExpertNames), name);
        if (at == std::end(kExpertNames))
            return makeError(ErrorCode::InvalidArgument, where + ": \"" + name + "\" is not one of local, semantic, global");
        experts.set(static_cast<std::size_t>(at - std::begin(kExpertNames)));
    }
    return experts;
}

void writeEnhancerDesign(nlohmann::json& object, const EnhancerDesign& d) {
    object["enhancer"] = {{"local", d.local}, {"global", d.global}, {"gates", d.gates}, {"modality_gate", d.modalityGate}};
    object["context"]["module"] = d.context;
    object["pooling"] = {{"context", d.contextPooling}, {"pseudo_tokens", d.pseudoPooling}};
}

Result<EnhancerDesign> parseEnhancerDesign(const nlohmann::json& object, const std::string& sourceName, EnhancerDesign base) {
    try {
        readDesignFields(object, base);
        return base;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, sourceName + ": " + e.what());
    }
}

bool isKnownArchitecture(const std::string& architecture) {
    return architecture == "egmf" || architecture == "merits-l";
}

std::string serializeLlmConfig(const LlmConfig& l) {
    auto c = llmToJson(l);
    if (l.isChatGlm()) return c.dump(2) + "\n";
    const std::string family = l.modelType == "qwen2" ? "Qwen2" : l.modelType == "mistral" ? "Mistral" : "Llama";
    c["architectures"] = {family + "ForCausalLM"};
    c["hidden_act"] = "silu";
    c["max_position_embeddings"] = std::max<std::int64_t>(4096, l.ropeOriginalMaxPositions);
    if (l.modelType == "qwen2" && l.attentionBias) c.erase("attention_bias");  // Qwen2's config has no such key
    return c.dump(2) + "\n";
}

Result<LlmConfig> parseLlmConfig(const nlohmann::json& config, const std::string& sourceName) {
    try {
        return llmFromJson(config);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Corrupt, sourceName + ": " + e.what());
    }
}

Result<Manifest> parseManifest(std::string_view text, const std::string& sourceName) {
    auto json = parseStrictJson(text, sourceName);
    if (!json) {
        return json.error();
    }
    try {
        return manifestFromJson(*json);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Corrupt, sourceName + ": " + e.what() + "; see docs/checkpoint.md for the format");
    }
}

Result<Manifest> readManifest(const std::filesystem::path& folder) {
    const auto path = folder / "manifest.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(ErrorCode::NotFound, path.string() +
                                                  ": cannot read; a native checkpoint is a folder "
                                                  "with manifest.json and model.safetensors");
    }
    std::stringstream text;
    text << in.rdbuf();
    return parseManifest(text.str(), path.string());
}

std::string serializeManifest(const Manifest& m) {
    json root = {
        {"format_version", kManifestFormatVersion},
        {"architecture", m.architecture},
        {"task", m.task == Task::Classification ? "classification" : "regression"},
        {"labels", m.labels},
        {"score_range", {m.scoreMin, m.scoreMax}},
        {"fusion", {{"dim", m.fusionDim}, {"heads", m.fusionHeads}}},
        {"audio",
         {{"feature_dim", m.audioFeatureDim},
          {"heads", m.audioHeads},
          {"feed_forward", m.audioFeedForward},
          {"frames_per_second", m.audioFramesPerSecond}}},
        {"visual", {{"feature_dim", m.visualFeatureDim}, {"frames_per_second", m.visualFramesPerSecond}}},
        {"context", {{"hidden", m.contextHidden}, {"bidirectional", m.contextBidirectional}}},
        {"experts", {{"ratios", m.expertRatios}, {"local_kernel", m.localKernel}, {"removed", expertNames(m.removedExperts)}}},
        {"pseudo_tokens", m.pseudoTokens},
        {"prompt",
         {{"template", m.prompt.templateText},
          {"history_line", m.prompt.historyLine},
          {"history_turns", m.prompt.historyTurns},
          {"max_new_tokens", m.prompt.maxNewTokens},
          {"score_decimals", m.prompt.scoreDecimals}}},
        {"tokenizer", {{"kind", m.tokenizer.kind}, {"file", m.tokenizer.file}}},
        {"llm", llmToJson(m.llm)},
        {"lora", nullptr},
        {"provenance", json::parse(m.provenanceJson, nullptr, false)},
    };
    writeEnhancerDesign(root, m.design);
    if (!m.substitutes.empty()) root["substitutes"] = m.substitutes;
    std::vector<std::string> modalities;
    if (m.modalities.text) modalities.push_back("text");
    if (m.modalities.audio) modalities.push_back("audio");
    if (m.modalities.visual) modalities.push_back("visual");
    root["modalities"] = modalities;
    if (m.huggingFace) {
        root["huggingface"] = {{"base_model", m.huggingFace->baseModel},
                               {"adapter", m.huggingFace->adapter},
                               {"fusion_weights", m.huggingFace->fusionWeights}};
    }
    if (m.lora) {
        root["lora"] = {{"r", m.lora->rank},
                        {"lora_alpha", m.lora->alpha},
                        {"lora_dropout", m.lora->dropout},
                        {"use_rslora", m.lora->useRslora},
                        {"target_modules", m.lora->targetModules}};
    }
    return root.dump(2) + "\n";
}

std::string defaultClassificationTemplate() {
    return "{history}{speaker}: {text}\n<Multimodal>{multimodal}</Multimodal>\n"
           "Please recognize the emotion of the above multimodal content from the target set "
           "<{labels}>. response: The emotion is";
}

std::string defaultRegressionTemplate() {
    return "{history}{speaker}: {text}\n<Multimodal>{multimodal}</Multimodal>\n"
           "Please predict the sentiment intensity of the above multimodal content in the range "
           "[{score_min}, {score_max}]. response: The sentiment is";
}

Manifest demoManifest() {
    Manifest m;
    m.labels = {"neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"};
    m.prompt.templateText = defaultClassificationTemplate();
    m.lora = LoraConfig{};
    m.llm.modelType = "llama";
    m.llm.vocabSize = 320;  // the byte tokenizer: 256 bytes + specials, rounded up
    m.llm.hiddenSize = 256;
    m.llm.intermediateSize = 688;
    m.llm.numHiddenLayers = 4;
    m.llm.numAttentionHeads = 4;
    m.llm.numKeyValueHeads = 2;
    m.llm.rmsNormEps = 1e-6;
    m.llm.ropeTheta = 10000.0;
    m.llm.tieWordEmbeddings = true;
    m.llm.bosTokenId = 256;
    m.llm.eosTokenId = 257;
    return m;
}

}  // namespace egmf
