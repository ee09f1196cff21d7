#pragma once
// The checkpoint manifest (docs/checkpoint.md): everything about a model that is not a weight.
// Every number of MODEL.md is a field here with its default, never a constant in the model code.

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "egmf/result.h"

namespace egmf {

/// 2: the manifest names the model's modalities. 3: it says how the enhancer, the dialogue context
/// and the poolings are built (EnhancerDesign). Older manifests still load (all three modalities,
/// MODEL.md's design).
inline constexpr int kManifestFormatVersion = 3;
inline constexpr int kOldestManifestFormatVersion = 1;

/// What a model reads. A text-only model needs no clip: a missing or damaged clip is no failure.
struct Modalities {
    bool text = true, audio = true, visual = true;
    bool hasClipInput() const { return audio || visual; }
    bool operator==(const Modalities&) const = default;
};

enum class Task { Classification, Regression };

/// Hugging Face config.json fields of the decoders the engine runs: the Llama family (Llama-2/3,
/// Qwen2, Mistral) and ChatGLM3 (model_type "chatglm", whose config.json names the same things
/// differently: num_layers, ffn_hidden_size, kv_channels, multi_query_group_num, padded_vocab_size,
/// layernorm_epsilon, rope_ratio; they are read into these fields).
struct LlmConfig {
    std::string modelType = "llama";
    std::int64_t vocabSize = 0;
    std::int64_t hiddenSize = 0;
    std::int64_t intermediateSize = 0;
    std::int64_t numHiddenLayers = 0;
    std::int64_t numAttentionHeads = 0;
    std::int64_t numKeyValueHeads = 0;
    std::int64_t headDim = 0;  ///< 0: hiddenSize / numAttentionHeads
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    std::string ropeType = "default";  ///< default | linear | llama3
    double ropeFactor = 1.0;
    double ropeLowFreqFactor = 1.0, ropeHighFreqFactor = 4.0;
    std::int64_t ropeOriginalMaxPositions = 8192;
    bool attentionBias = false;  ///< q/k/v biases (Qwen2)
    bool tieWordEmbeddings = false;
    std::int64_t bosTokenId = -1, eosTokenId = -1;
    std::string torchDtype = "float32";  ///< config.json's torch_dtype (dtype): what the weights are stored in

    std::int64_t effectiveHeadDim() const { return headDim > 0 ? headDim : hiddenSize / std::max<std::int64_t>(1, numAttentionHeads); }
    bool isChatGlm() const { return modelType == "chatglm"; }
    /// ChatGLM rotates the first half of each head's dimensions, in adjacent (GPT-J) pairs; the
    /// Llama family rotates all of them, pairing the first half with the second.
    std::int64_t rotaryDim() const { return isChatGlm() ? effectiveHeadDim() / 2 : effectiveHeadDim(); }
    bool rotaryInterleaved() const { return isChatGlm(); }
    /// ChatGLM's config calls its embedding rows padded_vocab_size: the rows past the tokenizer's
    /// ids are padding, never generated nor counted in a score. Other families' spare rows count,
    /// as transformers counts them.
    bool vocabularyIsPadded() const { return isChatGlm(); }
};

/// Parses the fields above from a config.json object; unsupported rope types are refused by name.
Result<LlmConfig> parseLlmConfig(const nlohmann::json& config, const std::string& sourceName);

/// The fields above as a Hugging Face config.json (with "architectures" and hidden_act), what
/// transformers' AutoModelForCausalLM reads.
std::string serializeLlmConfig(const LlmConfig& config);

struct LoraConfig {
    std::int64_t rank = 16;
    double alpha = 16;
    double dropout = 0.05;
    bool useRslora = false;
    std::vector<std::string> targetModules{"q_proj", "v_proj"};
    double scale() const;
};

/// The projections of the decoder a LoRA adapter may target, by their Hugging Face names.
std::vector<std::string> loraTargetsOf(const LlmConfig& config);
/// What PEFT targets when told nothing: q_proj and v_proj, ChatGLM's query_key_value.
std::vector<std::string> defaultLoraTargets(const LlmConfig& config);
/// An error naming `sourceName` when `lora` targets a projection the decoder does not have.
Result<void> checkLoraTargets(const LoraConfig& lora, const LlmConfig& config, const std::string& sourceName);

struct PromptConfig {
    /// Placeholders: {history} {speaker} {text} {labels} {multimodal}; {multimodal} is where the
    /// pseudo tokens go and must appear exactly once.
    std::string templateText;
    std::string historyLine = "{speaker}: {text}\n";
    int historyTurns = 5;
    int maxNewTokens = 8;
    int scoreDecimals = 1;  ///< regression answers are written with this many decimals
};

struct TokenizerConfig {
    std::string kind = "bytes";  ///< bytes | tokenizer.json | sentencepiece
    std::string file;            ///< relative to the checkpoint folder
};

/// Where the parts of a Hugging Face EGMF checkpoint are (docs/checkpoint.md): a Hugging Face LLM
/// folder, an optional PEFT LoRA adapter folder and the EGMF fusion weights. Relative paths are
/// relative to the checkpoint folder. The LLM config comes from the base's config.json and the LoRA
/// config from adapter_config.json; whatever manifest.json says about them is replaced on loading.
struct HuggingFaceParts {
    std::string baseModel;
    std::string adapter;  ///< empty: no adapter
    std::string fusionWeights = "fusion.safetensors";
};

/// How the Adaptive Feature Enhancer, the dialogue context and the poolings are built. The paper
/// leaves the experts' operators open; the defaults are MODEL.md's reading, and every option is a
/// published alternative reading (docs/checkpoint.md, "enhancer").
struct EnhancerDesign {
    /// conv: a depthwise convolution of experts.local_kernel within each modality's span;
    /// window_attention: single-head attention to the positions within local_kernel / 2 in the same span.
    std::string local = "conv";
    /// mean: h + mean(H_f); attention: multi-head self-attention over H_f (fusion.heads);
    /// dialogue_gru: h + a bidirectional GRU's state over the dialogue's pooled utterances.
    std::string global = "mean";
    /// parallel: g = softmax(z_f + z_c); sequential: the context gate reads [h ; c ; g_f] and is g.
    std::string gates = "parallel";
    /// A gate over text, audio and visual above the expert gate: each present modality m gets
    /// softmax_m(W [mean of its positions ; c])_m, and its positions' expert mixture is scaled by
    /// (present modalities) x that weight.
    bool modalityGate = false;
    /// The dialogue context c_i: gru (over pooled utterances), attention (single-head over them,
    /// causal unless context.bidirectional, projected to the context width) or none (no c).
    std::string context = "gru";
    /// How an utterance's positions become one vector, for the context and for the pseudo tokens:
    /// mean | modality_mean (each modality's mean, zeros where absent, concatenated: 3d) |
    /// attention (a learned score per position, softmax-weighted sum).
    std::string contextPooling = "mean";
    std::string pseudoPooling = "mean";
    bool operator==(const EnhancerDesign&) const = default;
};

struct Manifest {
    int formatVersion = kManifestFormatVersion;
    std::string architecture = "egmf";
    Task task = Task::Classification;
    std::vector<std::string> labels;
    double scoreMin = -3.0, scoreMax = 3.0;
    Modalities modalities;

    std::int64_t fusionDim = 256;
    std::int64_t fusionHeads = 4;
    std::int64_t audioFeatureDim = 80;  ///< n_mels + prosody channels
    std::int64_t audioHeads = 4;
    std::int64_t audioFeedForward = 1024;
    double audioFramesPerSecond = 100.0;  ///< 16 kHz / hop 160
    std::int64_t visualFeatureDim = 256;
    double visualFramesPerSecond = 4.0;
    std::int64_t contextHidden = 128;
    bool contextBidirectional = true;
    std::vector<double> expertRatios{1.0 / 8, 1.0 / 4, 1.0 / 2};
    std::int64_t localKernel = 3;
    /// Experts the model was trained without (format 3, "experts.removed": local, semantic,
    /// global): they stay off whatever the analysis asks, as the paper's retrained "w/o E_k".
    std::bitset<3> removedExperts;
    std::int64_t pseudoTokens = 4;
    EnhancerDesign design;

    PromptConfig prompt;
    TokenizerConfig tokenizer;
    LlmConfig llm;
    std::optional<LoraConfig> lora;
    std::optional<HuggingFaceParts> huggingFace;  ///< set: the LLM and LoRA live in Hugging Face folders
    /// What stands in for a part the paper names but this machine cannot have (MERITS-L: RoBERTa,
    /// CARE), part -> what is used instead; shown with the manifest.
    std::map<std::string, std::string> substitutes;
    std::string provenanceJson = "{}";  ///< training provenance, kept verbatim

    /// The width of c_i: 0 without a context module.
    std::int64_t contextDim() const { return design.context == "none" ? 0 : contextHidden * (contextBidirectional ? 2 : 1); }
    /// The width of a pooled utterance (modality_mean concatenates three means).
    std::int64_t pooledDim(const std::string& pooling) const { return pooling == "modality_mean" ? 3 * fusionDim : fusionDim; }
};

/// Parses manifest.json text; `sourceName` (the file path) goes into every error message.
Result<Manifest> parseManifest(std::string_view text, const std::string& sourceName);
/// Reads and parses <folder>/manifest.json (errors name that file).
Result<Manifest> readManifest(const std::filesystem::path& folder);
/// The names ("local", "semantic", "global") of the experts set in `experts`, and back; an unknown
/// name is an error naming `where`.
std::vector<std::string> expertNames(const std::bitset<3>& experts);
Result<std::bitset<3>> parseExpertNames(const std::vector<std::string>& names, const std::string& where);
/// The design fields of a manifest-like object ("enhancer", "context": {"module"}, "pooling");
/// what it leaves out keeps `base`'s value. Training configs name a design this way.
Result<EnhancerDesign> parseEnhancerDesign(const nlohmann::json& object, const std::string& sourceName, EnhancerDesign base = {});
/// What parseEnhancerDesign reads, written into `object` (beside what its sections already hold).
void writeEnhancerDesign(nlohmann::json& object, const EnhancerDesign& design);
/// The manifest as JSON text (what parseManifest reads back).
std::string serializeManifest(const Manifest& manifest);
/// The architectures a manifest may name: "egmf" and "merits-l" (docs/merits-l.md).
bool isKnownArchitecture(const std::string& architecture);
/// A manifest with MODEL.md's defaults and the demo-size LLM (d=256, 4 layers, byte tokenizer).
Manifest demoManifest();
/// MODEL.md's default prompt templates.
std::string defaultClassificationTemplate();
std::string defaultRegressionTemplate();

}  // namespace egmf
