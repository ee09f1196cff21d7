#include "wire.h"

#include <array>

#include "egmf/manifest.h"

namespace egmf::remote {
namespace {

template <typename Repeated, typename Vector>
void copyInto(const Vector& from, Repeated* to) {
    to->Reserve(static_cast<int>(from.size()));
    for (const auto& v : from) to->Add(v);
}

template <typename Vector, typename Repeated>
Vector copyOut(const Repeated& from) {
    return Vector(from.begin(), from.end());
}

void toWire(const FeatureSequence& s, pb::FeatureSequence& out) {
    copyInto(s.values, out.mutable_values());
    out.set_frames(s.frames);
    out.set_dim(s.dim);
    out.set_frames_per_second(s.framesPerSecond);
}

FeatureSequence fromWire(const pb::FeatureSequence& s) {
    return {copyOut<std::vector<float>>(s.values()), s.frames(), s.dim(), s.frames_per_second()};
}

void toWire(const Matrix& m, pb::Matrix& out) {
    copyInto(m.values, out.mutable_values());
    copyInto(m.shape, out.mutable_shape());
}

Matrix fromWire(const pb::Matrix& m) {
    return {copyOut<std::vector<float>>(m.values()), copyOut<std::vector<std::int64_t>>(m.shape())};
}

constexpr std::array kCodes = {
    std::pair{ErrorCode::InvalidArgument, "InvalidArgument"},
    std::pair{ErrorCode::NotFound, "NotFound"},
    std::pair{ErrorCode::Io, "Io"},
    std::pair{ErrorCode::Corrupt, "Corrupt"},
    std::pair{ErrorCode::Unsupported, "Unsupported"},
    std::pair{ErrorCode::Mismatch, "Mismatch"},
    std::pair{ErrorCode::Cancelled, "Cancelled"},
    std::pair{ErrorCode::Internal, "Internal"},
};

}  // namespace

void toWire(const Dialogue& dialogue, pb::Dialogue& out) {
    out.set_id(dialogue.id);
    out.set_split(dialogue.split);
    for (const auto& u : dialogue.utterances) {
        auto& w = *out.add_utterances();
        w.set_id(u.id);
        w.set_speaker(u.speaker);
        w.set_text(u.text);
        w.set_clip(u.clipPath);
        w.set_duration_sec(u.durationSec);
        w.set_source_start_sec(u.sourceStartSec);
        w.set_source_end_sec(u.sourceEndSec);
        w.set_clip_start_sec(u.clipStartSec);
        w.set_clip_end_sec(u.clipEndSec);
        toWire(u.audio, *w.mutable_audio());
        toWire(u.visual, *w.mutable_visual());
        if (u.goldLabel) w.set_gold_label(*u.goldLabel);
        if (u.goldScore) w.set_gold_score(*u.goldScore);
        for (const auto& tag : u.tags) w.add_tags(tag);
    }
}

Dialogue fromWire(const pb::Dialogue& dialogue) {
    Dialogue out{dialogue.id(), {}, dialogue.split()};
    out.utterances.reserve(static_cast<std::size_t>(dialogue.utterances_size()));
    for (const auto& w : dialogue.utterances()) {
        Utterance u;
        u.id = w.id();
        u.speaker = w.speaker();
        u.text = w.text();
        u.clipPath = w.clip();
        u.durationSec = w.duration_sec();
        u.sourceStartSec = w.source_start_sec();
        u.sourceEndSec = w.source_end_sec();
        u.clipStartSec = w.clip_start_sec();
        u.clipEndSec = w.clip_end_sec();
        u.audio = fromWire(w.audio());
        u.visual = fromWire(w.visual());
        if (w.has_gold_label()) u.goldLabel = w.gold_label();
        if (w.has_gold_score()) u.goldScore = w.gold_score();
        u.tags = copyOut<std::vector<std::string>>(w.tags());
        out.utterances.push_back(std::move(u));
    }
    return out;
}

void toWire(const EngineJob& job, std::uint64_t clientJobId, pb::Job& out) {
    out.set_client_job_id(clientJobId);
    out.set_kind(job.kind == EngineJob::Kind::Utterance  ? pb::Job::UTTERANCE
                 : job.kind == EngineJob::Kind::Ablation ? pb::Job::ABLATION
                                                         : pb::Job::DIALOGUE);
    toWire(job.dialogue, *out.mutable_dialogue());
    out.set_utterance_index(job.utteranceIndex);
    for (int i = 0; i < kModalityCount; ++i)
        if (job.options.disabledModalities.test(static_cast<std::size_t>(i))) out.add_disabled_modalities(i);
    for (int i = 0; i < kExpertCount; ++i)
        if (job.options.disabledExperts.test(static_cast<std::size_t>(i))) out.add_disabled_experts(i);
    out.set_view(job.view);
}

Result<EngineJob> fromWire(const pb::Job& job) {
    EngineJob out;
    out.kind = job.kind() == pb::Job::UTTERANCE  ? EngineJob::Kind::Utterance
               : job.kind() == pb::Job::ABLATION ? EngineJob::Kind::Ablation
                                                 : EngineJob::Kind::Dialogue;
    out.dialogue = fromWire(job.dialogue());
    out.utteranceIndex = job.utterance_index();
    if (out.kind == EngineJob::Kind::Utterance &&
        (out.utteranceIndex < 0 || out.utteranceIndex >= static_cast<int>(out.dialogue.utterances.size()))) {
        return makeError(ErrorCode::InvalidArgument,
                         "utterance_index " + std::to_string(out.utteranceIndex) + " is not an utterance of " + out.dialogue.id);
    }
    for (const int m : job.disabled_modalities()) {
        if (m < 0 || m >= kModalityCount)
            return makeError(ErrorCode::InvalidArgument, "disabled modality " + std::to_string(m) + " is not 0..2");
        out.options.disabledModalities.set(static_cast<std::size_t>(m));
    }
    for (const int e : job.disabled_experts()) {
        if (e < 0 || e >= kExpertCount)
            return makeError(ErrorCode::InvalidArgument, "disabled expert " + std::to_string(e) + " is not 0..2");
        out.options.disabledExperts.set(static_cast<std::size_t>(e));
    }
    out.view = job.view();
    return out;
}

void toWire(const DialogueResult& result, pb::DialogueResult& out) {
    out.set_dialogue_id(result.dialogueId);
    for (const auto& u : result.utterances) {
        auto& w = *out.add_utterances();
        w.set_utterance_id(u.utteranceId);
        w.set_error(u.error);
        for (const auto& warning : u.warnings) w.add_warnings(warning);
        w.set_generated(u.generated);
        w.set_prediction(u.prediction);
        if (u.predictedScore) w.set_predicted_score(*u.predictedScore);
        w.set_scored_prediction(u.scoredPrediction);
        for (const auto& label : u.labels) w.add_labels(label);
        copyInto(u.labelLogProbs, w.mutable_label_log_probs());
        copyInto(u.probabilities, w.mutable_probabilities());
        copyInto(u.tokenIds, w.mutable_token_ids());
        for (const auto& piece : u.tokenPieces) w.add_token_pieces(piece);
        for (const auto& p : u.positions) {
            w.add_position_modalities(static_cast<int>(p.modality));
            w.add_position_times(p.timeSec);
        }
        w.set_text_length(u.textLength);
        w.set_audio_length(u.audioLength);
        w.set_visual_length(u.visualLength);
        toWire(u.attention.textToAv, *w.mutable_text_to_av());
        toWire(u.attention.avToText, *w.mutable_av_to_text());
        toWire(u.gates.featureGates, *w.mutable_feature_gates());
        toWire(u.gates.contextGates, *w.mutable_context_gates());
        toWire(u.gates.gates, *w.mutable_gates());
        copyInto(u.gates.alpha, w.mutable_alpha());
        copyInto(u.gates.modalityGates, w.mutable_modality_gates());
        auto& t = *w.mutable_timings();
        t.set_features_ms(u.timings.featuresMs);
        t.set_encode_ms(u.timings.encodeMs);
        t.set_fusion_ms(u.timings.fusionMs);
        t.set_context_ms(u.timings.contextMs);
        t.set_enhance_ms(u.timings.enhanceMs);
        t.set_prompt_ms(u.timings.promptMs);
        t.set_generate_ms(u.timings.generateMs);
        t.set_score_ms(u.timings.scoreMs);
    }
}

DialogueResult fromWire(const pb::DialogueResult& result) {
    DialogueResult out{result.dialogue_id(), {}};
    out.utterances.reserve(static_cast<std::size_t>(result.utterances_size()));
    for (const auto& w : result.utterances()) {
        UtteranceResult u;
        u.utteranceId = w.utterance_id();
        u.error = w.error();
        u.warnings = copyOut<std::vector<std::string>>(w.warnings());
        u.generated = w.generated();
        u.prediction = w.prediction();
        if (w.has_predicted_score()) u.predictedScore = w.predicted_score();
        u.scoredPrediction = w.scored_prediction();
        u.labels = copyOut<std::vector<std::string>>(w.labels());
        u.labelLogProbs = copyOut<std::vector<double>>(w.label_log_probs());
        u.probabilities = copyOut<std::vector<double>>(w.probabilities());
        u.tokenIds = copyOut<std::vector<std::int32_t>>(w.token_ids());
        u.tokenPieces = copyOut<std::vector<std::string>>(w.token_pieces());
        const int positions = std::min(w.position_modalities_size(), w.position_times_size());
        for (int i = 0; i < positions; ++i) {
            const int m = w.position_modalities(i);
            u.positions.push_back({m >= 0 && m < kModalityCount ? static_cast<Modality>(m) : Modality::Text, w.position_times(i)});
        }
        u.textLength = w.text_length();
        u.audioLength = w.audio_length();
        u.visualLength = w.visual_length();
        u.attention = {fromWire(w.text_to_av()), fromWire(w.av_to_text())};
        u.gates = {fromWire(w.feature_gates()), fromWire(w.context_gates()), fromWire(w.gates()), copyOut<std::vector<float>>(w.alpha()),
                   copyOut<std::vector<float>>(w.modality_gates())};
        const auto& t = w.timings();
        u.timings = {t.features_ms(), t.encode_ms(), t.fusion_ms(),   t.context_ms(),
                     t.enhance_ms(),  t.prompt_ms(), t.generate_ms(), t.score_ms()};
        out.utterances.push_back(std::move(u));
    }
    return out;
}

void toWire(const ModelInfo& model, pb::ModelInfo& out) {
    out.set_manifest_json(serializeManifest(model.manifest));
    out.set_checkpoint(model.checkpoint);
    out.set_loader(model.loader);
    out.set_device(model.device);
    out.set_dtype(model.dtype);
}

Result<ModelInfo> fromWire(const pb::ModelInfo& model) {
    auto manifest = parseManifest(model.manifest_json(), "the server's manifest");
    if (!manifest.ok()) return manifest.error();
    return ModelInfo{std::move(*manifest), model.checkpoint(), model.loader(), model.device(), model.dtype()};
}

void toWire(const Error& error, pb::Failure& out) {
    out.set_code("Internal");
    for (const auto& [code, name] : kCodes)
        if (code == error.code) out.set_code(name);
    out.set_message(error.message);
}

Error fromWire(const pb::Failure& failure) {
    for (const auto& [code, name] : kCodes)
        if (failure.code() == name) return {code, failure.message()};
    return {ErrorCode::Internal, failure.message()};
}

}  // namespace egmf::remote
