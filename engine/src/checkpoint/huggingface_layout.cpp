#include "huggingface_layout.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/strict_json.h"

namespace egmf::checkpoint {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uintmax_t kMaxJsonBytes = 64 << 20;  // config and index files are a few KB

Result<json> readJsonFile(const fs::path& path, const std::string& what) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return makeError(ErrorCode::NotFound, path.string() + ": cannot read (" + ec.message() + "); " + what);
    if (size > kMaxJsonBytes)
        return makeError(ErrorCode::Corrupt, path.string() + ": " + std::to_string(size) + " bytes is too large for " + what);
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return makeError(ErrorCode::Io, path.string() + ": cannot read; " + what);
    return parseStrictJson(text.str(), path.string());
}

fs::path resolvePart(const fs::path& folder, const std::string& part) {
    const fs::path path(part);
    return path.is_absolute() ? path : folder / path;
}

bool isPlainFileName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

/// A key of adapter_config.json that must hold its default for the adapter to mean what the engine computes.
void refuseUnlessDefault(const json& c, const char* key, bool isDefault, const std::string& what, const std::string& source) {
    if (c.contains(key) && !isDefault) {
        throw std::runtime_error(source + ": " + key + " = " + c[key].dump() + " is not supported (" + what + ")");
    }
}

bool emptyOrNull(const json& value) {
    return value.is_null() || (value.is_object() || value.is_array() ? value.empty() : false);
}

}  // namespace

std::optional<std::string> WeightSource::keyOf(const std::string& name) const {
    for (const auto& suffix : ignoredSuffixes) {
        if (name.ends_with(suffix)) return std::string();
    }
    for (const auto& ignored : ignoredNames) {
        if (name == ignored) return std::string();
    }
    if (!name.starts_with(fromPrefix)) return std::nullopt;
    return toPrefix + name.substr(fromPrefix.size());
}

Result<LoraConfig> parseAdapterConfig(const json& c, const std::string& source) {
    if (!c.is_object()) return makeError(ErrorCode::Corrupt, source + ": expected a JSON object");
    try {
        const auto peftType = c.value("peft_type", std::string("LORA"));
        if (peftType != "LORA") throw std::runtime_error(source + ": peft_type \"" + peftType + "\" is not supported (LORA)");
        // peft writes every option with its default into every adapter: those load; others are refused by name.
        refuseUnlessDefault(c, "use_dora", c.value("use_dora", json(false)) == json(false), "DoRA adapters", source);
        refuseUnlessDefault(c, "rank_pattern", emptyOrNull(c.value("rank_pattern", json())), "per-module ranks", source);
        refuseUnlessDefault(c, "alpha_pattern", emptyOrNull(c.value("alpha_pattern", json())), "per-module alphas", source);
        refuseUnlessDefault(c, "layers_to_transform", c.value("layers_to_transform", json()).is_null(), "adapters on some layers only",
                            source);
        refuseUnlessDefault(c, "modules_to_save", emptyOrNull(c.value("modules_to_save", json())), "fully trained extra modules", source);
        refuseUnlessDefault(c, "bias", c.value("bias", json("none")) == json("none"), "trained biases; use bias \"none\"", source);
        refuseUnlessDefault(c, "lora_bias", c.value("lora_bias", json(false)) == json(false), "LoRA biases", source);
        refuseUnlessDefault(c, "fan_in_fan_out", c.value("fan_in_fan_out", json(false)) == json(false), "Conv1D-style weights", source);
        refuseUnlessDefault(c, "layer_replication", c.value("layer_replication", json()).is_null(), "replicated layers", source);
        refuseUnlessDefault(c, "exclude_modules", emptyOrNull(c.value("exclude_modules", json())), "excluded modules", source);
        refuseUnlessDefault(c, "target_parameters", emptyOrNull(c.value("target_parameters", json())), "adapters on parameters", source);
        refuseUnlessDefault(c, "trainable_token_indices", emptyOrNull(c.value("trainable_token_indices", json())), "trainable tokens",
                            source);
        LoraConfig lora;
        lora.rank = checkedInteger(c.at("r"), source + ": r (the LoRA rank)", 1, 1 << 20);
        lora.alpha = c.value("lora_alpha", 8.0);
        lora.dropout = c.value("lora_dropout", 0.0);
        lora.useRslora = c.value("use_rslora", false);
        lora.targetModules.clear();
        const auto& targets = c.at("target_modules");
        if (!targets.is_array()) {
            throw std::runtime_error(source + ": target_modules = " + targets.dump() +
                                     " is not supported (a list of projection names, e.g. [\"q_proj\", \"v_proj\"])");
        }
        // Which family's names fit is a question for the base (checkLoraTargets, once it is
        // resolved); a name of neither is refused here.
        LlmConfig glm;
        glm.modelType = "chatglm";
        auto known = loraTargetsOf(LlmConfig{});
        for (const auto& name : loraTargetsOf(glm)) known.push_back(name);
        for (const auto& t : targets) {
            const auto name = t.get<std::string>();
            if (std::find(known.begin(), known.end(), name) == known.end())
                throw std::runtime_error(source + ": target_modules \"" + name + "\" is not a projection of the Llama or ChatGLM decoder");
            lora.targetModules.push_back(name);
        }
        if (lora.rank <= 0 || lora.rank > 65536) throw std::runtime_error(source + ": r must be a positive rank");
        return lora;
    } catch (const json::exception& e) {
        return makeError(ErrorCode::Corrupt, source + ": " + e.what());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Unsupported, e.what());
    }
}

Result<std::vector<fs::path>> llmWeightFiles(const fs::path& base) {
    const auto index = base / "model.safetensors.index.json";
    if (!fs::exists(index)) {
        if (fs::exists(base / "model.safetensors")) return std::vector<fs::path>{base / "model.safetensors"};
        return makeError(ErrorCode::NotFound, base.string() +
                                                  ": neither model.safetensors nor model.safetensors.index.json; "
                                                  "a Hugging Face model folder holds its weights as safetensors");
    }
    auto json = readJsonFile(index, "the index of the sharded weights");
    if (!json) return json.error();
    const auto map = json->find("weight_map");
    if (map == json->end() || !map->is_object()) return makeError(ErrorCode::Corrupt, index.string() + ": no weight_map object");
    std::set<std::string> shards;
    for (const auto& [name, shard] : map->items()) {
        if (!shard.is_string() || !isPlainFileName(shard.get<std::string>())) {
            return makeError(ErrorCode::Corrupt,
                             index.string() + ": weight \"" + name + "\" names " + shard.dump() + ", not a file of this folder");
        }
        shards.insert(shard.get<std::string>());
    }
    std::vector<fs::path> files;
    for (const auto& shard : shards) files.push_back(base / shard);
    return files;
}

Result<HuggingFaceLayout> resolveHuggingFaceLayout(const fs::path& folder) {
    auto manifest = readManifest(folder);
    if (!manifest) return manifest.error();
    return resolveHuggingFaceLayout(folder, std::move(*manifest));
}

Result<HuggingFaceBase> resolveHuggingFaceBase(const fs::path& baseFolder) {
    HuggingFaceBase base;
    const auto configPath = baseFolder / "config.json";
    auto config = readJsonFile(configPath, "a Hugging Face model folder has config.json");
    if (!config) return config.error();
    auto llm = parseLlmConfig(*config, configPath.string());
    if (!llm) return llm.error();
    if (llm->eosTokenId < 0 || llm->eosTokenId >= llm->vocabSize) {
        return makeError(ErrorCode::Unsupported,
                         configPath.string() + ": eos_token_id must be a token of the vocabulary (answers end with it)");
    }
    base.llm = *llm;
    for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
        if (fs::exists(baseFolder / name)) {
            const bool json = name == std::string("tokenizer.json");
            // ChatGLM3 ships a SentencePiece model and numbers its special tokens after it in code.
            base.tokenizer = {json ? "tokenizer.json" : base.llm.isChatGlm() ? "chatglm" : "sentencepiece", (baseFolder / name).string()};
            break;
        }
    }
    auto shards = llmWeightFiles(baseFolder);
    if (!shards) return shards.error();
    for (const auto& shard : *shards) {
        // Rotary inverse frequencies are recomputed from the config, not read (Llama: rotary_emb,
        // ChatGLM: transformer.rotary_pos_emb).
        WeightSource source{shard, "", "llm.", {".rotary_emb.inv_freq", "rotary_pos_emb.inv_freq"}, {}};
        if (base.llm.tieWordEmbeddings) source.ignoredNames.push_back("lm_head.weight");  // some exports keep the tied copy
        base.sources.push_back(std::move(source));
    }
    return base;
}

Result<PeftAdapter> resolvePeftAdapter(const fs::path& adapterFolder) {
    const auto configPath = adapterFolder / "adapter_config.json";
    auto json = readJsonFile(configPath, "a PEFT adapter folder has adapter_config.json and adapter_model.safetensors");
    if (!json) return json.error();
    auto lora = parseAdapterConfig(*json, configPath.string());
    if (!lora) return lora.error();
    return PeftAdapter{*lora, {adapterFolder / "adapter_model.safetensors", kPeftPrefix, kLoraKeyPrefix, {}, {}}};
}

Result<HuggingFaceLayout> resolveHuggingFaceLayout(const fs::path& folder, Manifest manifest) {
    if (!manifest.huggingFace) {
        return makeError(ErrorCode::Unsupported,
                         (folder / "manifest.json").string() + ": no \"huggingface\" section; not a Hugging Face EGMF checkpoint");
    }
    const auto parts = *manifest.huggingFace;
    HuggingFaceLayout layout;
    layout.baseFolder = resolvePart(folder, parts.baseModel);
    auto base = resolveHuggingFaceBase(layout.baseFolder);
    if (!base) {
        return makeError(base.error().code,
                         base.error().message + " (huggingface.base_model of " + (folder / "manifest.json").string() + ")");
    }
    if (base->tokenizer.file.empty()) {
        return makeError(
            ErrorCode::NotFound,
            layout.baseFolder.string() + ": neither tokenizer.json nor tokenizer.model; copy the model's tokenizer beside config.json");
    }
    manifest.llm = base->llm;
    manifest.tokenizer = base->tokenizer;
    layout.tokenizerFile = base->tokenizer.file;
    layout.sources = std::move(base->sources);
    manifest.lora.reset();
    if (!parts.adapter.empty()) {
        layout.adapterFolder = resolvePart(folder, parts.adapter);
        auto adapter = resolvePeftAdapter(layout.adapterFolder);
        if (!adapter) return adapter.error();
        if (auto fits = checkLoraTargets(adapter->lora, manifest.llm, (layout.adapterFolder / "adapter_config.json").string()); !fits)
            return fits.error();
        manifest.lora = adapter->lora;
        layout.sources.push_back(adapter->source);
    }
    layout.sources.push_back({resolvePart(folder, parts.fusionWeights), "", "", {}, {}});
    layout.manifest = std::move(manifest);
    return layout;
}

std::string peftAdapterConfigJson(const LoraConfig& lora, const std::string& baseModel) {
    const json config = {{"alpha_pattern", json::object()},
                         {"auto_mapping", nullptr},
                         {"base_model_name_or_path", baseModel},
                         {"bias", "none"},
                         {"fan_in_fan_out", false},
                         {"inference_mode", true},
                         {"init_lora_weights", true},
                         {"layer_replication", nullptr},
                         {"layers_pattern", nullptr},
                         {"layers_to_transform", nullptr},
                         {"loftq_config", json::object()},
                         {"lora_alpha", lora.alpha},
                         {"lora_dropout", lora.dropout},
                         {"megatron_config", nullptr},
                         {"megatron_core", "megatron.core"},
                         {"modules_to_save", nullptr},
                         {"peft_type", "LORA"},
                         {"r", lora.rank},
                         {"rank_pattern", json::object()},
                         {"revision", nullptr},
                         {"target_modules", lora.targetModules},
                         {"task_type", "CAUSAL_LM"},
                         {"use_dora", false},
                         {"use_rslora", lora.useRslora}};
    return config.dump(2) + "\n";
}

Result<std::vector<SafetensorsFile>> openSources(const std::vector<WeightSource>& sources) {
    std::vector<SafetensorsFile> files;
    for (const auto& source : sources) {
        auto file = SafetensorsFile::open(source.file);
        if (!file) return file.error();
        files.push_back(std::move(*file));
    }
    return files;
}

Result<std::map<std::string, const TensorEntry*>> tensorsByKey(const std::vector<WeightSource>& sources,
                                                               const std::vector<SafetensorsFile>& files) {
    std::map<std::string, const TensorEntry*> byKey;
    std::map<std::string, std::string> origin;
    for (std::size_t i = 0; i < sources.size() && i < files.size(); ++i) {
        for (const auto& entry : files[i].tensors()) {
            const auto key = sources[i].keyOf(entry.name);
            if (!key) {
                return makeError(ErrorCode::Mismatch, sources[i].file.string() + ": tensor \"" + entry.name +
                                                          "\" does not belong here (names start with \"" + sources[i].fromPrefix +
                                                          "\"); is this the right file?");
            }
            if (key->empty()) continue;
            if (!byKey.emplace(*key, &entry).second) {
                return makeError(ErrorCode::Corrupt, sources[i].file.string() + ": \"" + entry.name + "\" is also in " + origin[*key]);
            }
            origin[*key] = sources[i].file.string();
        }
    }
    return byKey;
}

}  // namespace egmf::checkpoint
