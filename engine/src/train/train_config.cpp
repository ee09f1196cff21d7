#include "egmf/app/train_config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace egmf::train {

nlohmann::json TrainConfig::toJson() const {
    nlohmann::json out = {{"task", task},
                          {"seed", seed},
                          {"epochs", epochs},
                          {"patience", patience},
                          {"dialogues_per_step", dialoguesPerStep},
                          {"learning_rate", learningRate},
                          {"llm_learning_rate", llmLearningRate},
                          {"weight_decay", weightDecay},
                          {"warmup_fraction", warmupFraction},
                          {"gradient_clip", gradientClip},
                          {"modality_dropout", {{"text", textDropout}, {"audio", audioDropout}, {"visual", visualDropout}}},
                          {"llm_training", llmTraining},
                          {"vocab_size", vocabSize},
                          {"base_model", baseModel},
                          {"max_steps", maxSteps},
                          {"architecture", architecture},
                          {"class_weighting", classWeighting},
                          {"modalities",
                           [&] {
                               std::vector<std::string> names;
                               if (modalities.text) names.push_back("text");
                               if (modalities.audio) names.push_back("audio");
                               if (modalities.visual) names.push_back("visual");
                               return names;
                           }()},
                          {"model",
                           {{"llm_hidden", shape.llmHidden},
                            {"llm_intermediate", shape.llmIntermediate},
                            {"llm_layers", shape.llmLayers},
                            {"llm_heads", shape.llmHeads},
                            {"llm_kv_heads", shape.llmKeyValueHeads},
                            {"history_turns", shape.historyTurns},
                            {"experts", {{"removed", expertNames(shape.removedExperts)}}}}}};
    writeEnhancerDesign(out["model"], shape.design);  // in the manifest's words
    return out;
}

Manifest TrainConfig::modelManifest() const {
    Manifest m = demoTrainingManifest();
    if (shape.llmHidden > 0) m.llm.hiddenSize = shape.llmHidden;
    if (shape.llmIntermediate > 0) m.llm.intermediateSize = shape.llmIntermediate;
    if (shape.llmLayers > 0) m.llm.numHiddenLayers = shape.llmLayers;
    if (shape.llmHeads > 0) m.llm.numAttentionHeads = shape.llmHeads;
    if (shape.llmKeyValueHeads > 0) m.llm.numKeyValueHeads = shape.llmKeyValueHeads;
    if (shape.historyTurns >= 0) m.prompt.historyTurns = shape.historyTurns;
    m.design = shape.design;
    m.removedExperts = shape.removedExperts;
    m.modalities = modalities;
    return m;
}

Result<TrainConfig> TrainConfig::fromJson(const nlohmann::json& json, const std::string& sourceName) {
    TrainConfig c;
    try {
        c.task = json.value("task", c.task);
        c.seed = json.value("seed", c.seed);
        c.epochs = json.value("epochs", c.epochs);
        c.patience = json.value("patience", c.patience);
        c.dialoguesPerStep = json.value("dialogues_per_step", c.dialoguesPerStep);
        c.learningRate = json.value("learning_rate", c.learningRate);
        c.llmLearningRate = json.value("llm_learning_rate", c.llmLearningRate);
        c.weightDecay = json.value("weight_decay", c.weightDecay);
        c.warmupFraction = json.value("warmup_fraction", c.warmupFraction);
        c.gradientClip = json.value("gradient_clip", c.gradientClip);
        if (const auto dropout = json.find("modality_dropout"); dropout != json.end() && dropout->is_object()) {
            c.textDropout = dropout->value("text", c.textDropout);
            c.audioDropout = dropout->value("audio", c.audioDropout);
            c.visualDropout = dropout->value("visual", c.visualDropout);
        }
        c.llmTraining = json.value("llm_training", c.llmTraining);
        c.vocabSize = json.value("vocab_size", c.vocabSize);
        c.baseModel = json.value("base_model", c.baseModel);
        c.maxSteps = json.value("max_steps", c.maxSteps);
        c.architecture = json.value("architecture", c.architecture);
        c.classWeighting = json.value("class_weighting", c.classWeighting);
        if (const auto names = json.find("modalities"); names != json.end()) {
            c.modalities = {false, false, false};
            for (const auto& name : names->get<std::vector<std::string>>()) {
                if (name == "text")
                    c.modalities.text = true;
                else if (name == "audio")
                    c.modalities.audio = true;
                else if (name == "visual")
                    c.modalities.visual = true;
                else
                    return makeError(ErrorCode::InvalidArgument,
                                     sourceName + ": modalities: \"" + name + "\" is not one of text, audio, visual");
            }
        }
        if (const auto model = json.find("model"); model != json.end() && model->is_object()) {
            c.shape.llmHidden = model->value("llm_hidden", c.shape.llmHidden);
            c.shape.llmIntermediate = model->value("llm_intermediate", c.shape.llmIntermediate);
            c.shape.llmLayers = model->value("llm_layers", c.shape.llmLayers);
            c.shape.llmHeads = model->value("llm_heads", c.shape.llmHeads);
            c.shape.llmKeyValueHeads = model->value("llm_kv_heads", c.shape.llmKeyValueHeads);
            c.shape.historyTurns = model->value("history_turns", c.shape.historyTurns);
            auto design = parseEnhancerDesign(*model, sourceName + ": model");
            if (!design) return design.error();
            c.shape.design = *design;
            if (const auto experts = model->find("experts"); experts != model->end() && experts->is_object()) {
                auto removed =
                    parseExpertNames(experts->value("removed", std::vector<std::string>{}), sourceName + ": model.experts.removed");
                if (!removed) return removed.error();
                c.shape.removedExperts = *removed;
            }
        }
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Corrupt, sourceName + ": a training setting has the wrong type (" + e.what() + ")");
    }
    const auto bad = [&](const std::string& what) { return makeError(ErrorCode::InvalidArgument, sourceName + ": " + what); };
    if (c.task != "erc" && c.task != "msa") return bad("task must be erc or msa");
    if (c.llmTraining != "full" && c.llmTraining != "lora" && c.llmTraining != "frozen")
        return bad("llm_training must be full, lora or frozen");
    if (c.epochs < 1 || c.patience < 1 || c.dialoguesPerStep < 1) return bad("epochs, patience and dialogues_per_step must be >= 1");
    if (!(c.learningRate > 0) || !(c.llmLearningRate >= 0) || !(c.gradientClip > 0))
        return bad("learning rates and gradient_clip must be > 0");
    if (c.maxSteps < 0) return bad("max_steps must be >= 0");
    if (c.architecture != "egmf" && c.architecture != "merits-l") return bad("architecture must be egmf or merits-l");
    if (c.architecture == "merits-l" && c.task != "erc") return bad("MERITS-L classifies emotions: task must be erc");
    if (c.vocabSize < 100 || c.vocabSize > 32000) return bad("vocab_size must be 100..32000");
    if (c.classWeighting != "none" && c.classWeighting != "inverse_sqrt") return bad("class_weighting must be none or inverse_sqrt");
    if (!c.modalities.text && !c.modalities.hasClipInput()) return bad("modalities: name at least one of text, audio, visual");
    if (!c.modalities.hasClipInput() && c.textDropout > 0) {
        return bad("a text-only model cannot drop its text: set modality_dropout.text to 0");
    }
    const auto& s = c.shape;
    if (s.llmHidden < 0 || s.llmIntermediate < 0 || s.llmLayers < 0 || s.llmHeads < 0 || s.llmKeyValueHeads < 0 || s.historyTurns < -1 ||
        s.llmLayers > 64 || s.llmHidden > 8192 || s.historyTurns > 50) {
        return bad("model: a size out of range (llm_hidden <= 8192, llm_layers <= 64, history_turns <= 50)");
    }
    const Manifest shaped = c.modelManifest();
    if (shaped.design.global == "dialogue_gru" && shaped.fusionDim % 2 != 0) return bad("model: dialogue_gru needs an even fusion width");
    if (shaped.llm.hiddenSize % shaped.llm.numAttentionHeads != 0 || shaped.llm.numAttentionHeads % shaped.llm.numKeyValueHeads != 0) {
        return bad("model: llm_hidden must divide by llm_heads, and llm_heads by llm_kv_heads");
    }
    for (double p : {c.textDropout, c.audioDropout, c.visualDropout, c.warmupFraction}) {
        if (!(p >= 0 && p < 1)) return bad("dropout probabilities and warmup_fraction must be in [0, 1)");
    }
    return c;
}

Manifest demoTrainingManifest() {
    Manifest m = demoManifest();
    m.fusionDim = 96;
    m.fusionHeads = 4;
    m.audioFeatureDim = 82;  // 80 log-mel + pitch + energy: the demo's voices differ in pitch
    m.audioHeads = 4;
    m.audioFeedForward = 192;
    m.contextHidden = 48;
    m.pseudoTokens = 4;
    m.prompt.historyTurns = 3;
    m.prompt.maxNewTokens = 6;
    m.llm.hiddenSize = 128;
    m.llm.intermediateSize = 256;
    m.llm.numHiddenLayers = 2;
    m.llm.numAttentionHeads = 4;
    m.llm.numKeyValueHeads = 2;
    m.llm.tieWordEmbeddings = true;
    m.lora.reset();
    return m;
}

}  // namespace egmf::train
