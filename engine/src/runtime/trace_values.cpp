#include "trace_values.h"

#include <algorithm>
#include <cmath>

#include "model/av_encoder.h"
#include "tokenizer/prompt.h"

namespace egmf::runtime {

Matrix toMatrix(const at::Tensor& tensor) {
    Matrix matrix;
    if (!tensor.defined()) {
        return matrix;
    }
    const auto cpu = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
    matrix.shape = cpu.sizes().vec();
    matrix.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
    return matrix;
}

std::vector<Position> positionTimes(const Manifest& m, const Utterance& u, std::int64_t textLength, std::int64_t audioLength,
                                    std::int64_t visualLength) {
    double duration = u.durationSec;
    if (duration <= 0) {
        duration = std::max(static_cast<double>(u.audio.frames) / m.audioFramesPerSecond,
                            static_cast<double>(u.visual.frames) / m.visualFramesPerSecond);
    }
    std::vector<Position> positions;
    positions.reserve(static_cast<std::size_t>(textLength + audioLength + visualLength));
    for (std::int64_t j = 0; j < textLength; ++j) {
        positions.push_back({Modality::Text, duration * (static_cast<double>(j) + 0.5) / static_cast<double>(textLength)});
    }
    const double audioStep = model::AudioBranchImpl::kSubsampling / m.audioFramesPerSecond;
    for (std::int64_t j = 0; j < audioLength; ++j) {
        positions.push_back({Modality::Audio, static_cast<double>(j) * audioStep});
    }
    for (std::int64_t j = 0; j < visualLength; ++j) {
        positions.push_back({Modality::Visual, static_cast<double>(j) / m.visualFramesPerSecond});
    }
    return positions;
}

UtteranceResult traceToResult(const Manifest& m, const tokenizer::Tokenizer& tokenizer, const Utterance& u, const UtteranceTrace& trace) {
    UtteranceResult r;
    r.utteranceId = u.id;
    r.error = trace.error;
    r.tokenIds = trace.textIds;
    for (auto id : trace.textIds) {
        r.tokenPieces.push_back(tokenizer.piece(id));
    }
    if (!trace.error.empty()) {
        r.prediction = kUnparsable;
        return r;
    }
    const auto& spans = trace.encoded.spans;
    r.textLength = spans[0];
    r.audioLength = spans[1];
    r.visualLength = spans[2];
    r.positions = positionTimes(m, u, spans[0], spans[1], spans[2]);
    r.attention.textToAv = toMatrix(trace.encoded.fusion.textToAv);
    r.attention.avToText = toMatrix(trace.encoded.fusion.avToText);
    r.gates.featureGates = toMatrix(trace.enhanced.gates.featureGates);
    r.gates.contextGates = toMatrix(trace.enhanced.gates.contextGates);
    r.gates.gates = toMatrix(trace.enhanced.gates.gates);
    r.gates.alpha = toMatrix(trace.enhanced.gates.alpha).values;
    if (trace.enhanced.gates.modalityGates.defined()) r.gates.modalityGates = toMatrix(trace.enhanced.gates.modalityGates).values;

    std::vector<std::int32_t> generated(trace.generated.begin(), trace.generated.end());
    r.generated = tokenizer.decode(generated);
    if (m.task == Task::Classification) {
        r.prediction = tokenizer::matchLabel(r.generated, m.labels);
    } else {
        r.predictedScore = tokenizer::parseScore(r.generated);
        r.prediction = r.predictedScore ? tokenizer::formatScore(*r.predictedScore, m.prompt.scoreDecimals) : std::string(kUnparsable);
    }
    if (!trace.labelLogProbs.empty()) {
        r.labels = m.labels;
        r.labelLogProbs = trace.labelLogProbs;
        const double best = *std::max_element(r.labelLogProbs.begin(), r.labelLogProbs.end());
        double total = 0;
        for (double s : r.labelLogProbs) {
            r.probabilities.push_back(std::exp(s - best));
            total += r.probabilities.back();
        }
        for (auto& p : r.probabilities) {
            p /= total;
        }
        const auto argmax = std::max_element(r.labelLogProbs.begin(), r.labelLogProbs.end());
        r.scoredPrediction = m.labels[static_cast<std::size_t>(argmax - r.labelLogProbs.begin())];
    }
    r.timings = trace.timings;
    return r;
}

}  // namespace egmf::runtime
