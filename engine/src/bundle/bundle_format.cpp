#include "bundle_format.h"

namespace egmf::bundle {

nlohmann::json fieldsOf(const UtteranceResult& r) {
    std::vector<int> modalities;
    std::vector<double> times;
    for (const auto& p : r.positions) {
        modalities.push_back(static_cast<int>(p.modality));
        times.push_back(p.timeSec);
    }
    const auto& t = r.timings;
    nlohmann::json fields = {
        {"id", r.utteranceId},
        {"error", r.error},
        {"warnings", r.warnings},
        {"generated", r.generated},
        {"prediction", r.prediction},
        {"scoredPrediction", r.scoredPrediction},
        {"labels", r.labels},
        {"labelLogProbs", r.labelLogProbs},
        {"probabilities", r.probabilities},
        {"tokenIds", r.tokenIds},
        {"tokenPieces", r.tokenPieces},
        {"positionModalities", modalities},
        {"positionTimes", times},
        {"lengths", {r.textLength, r.audioLength, r.visualLength}},
        {"timings", {t.featuresMs, t.encodeMs, t.fusionMs, t.contextMs, t.enhanceMs, t.promptMs, t.generateMs, t.scoreMs}},
    };
    if (r.predictedScore) fields["predictedScore"] = *r.predictedScore;
    return fields;
}

bool readFields(const nlohmann::json& f, UtteranceResult& r) {
    try {
        r.utteranceId = f.at("id").get<std::string>();
        r.error = f.at("error").get<std::string>();
        r.warnings = f.at("warnings").get<std::vector<std::string>>();
        r.generated = f.at("generated").get<std::string>();
        r.prediction = f.at("prediction").get<std::string>();
        r.scoredPrediction = f.at("scoredPrediction").get<std::string>();
        r.labels = f.at("labels").get<std::vector<std::string>>();
        r.labelLogProbs = f.at("labelLogProbs").get<std::vector<double>>();
        r.probabilities = f.at("probabilities").get<std::vector<double>>();
        r.tokenIds = f.at("tokenIds").get<std::vector<std::int32_t>>();
        r.tokenPieces = f.at("tokenPieces").get<std::vector<std::string>>();
        const auto modalities = f.at("positionModalities").get<std::vector<int>>();
        const auto times = f.at("positionTimes").get<std::vector<double>>();
        if (modalities.size() != times.size()) return false;
        for (std::size_t i = 0; i < modalities.size(); ++i) {
            if (modalities[i] < 0 || modalities[i] >= kModalityCount) return false;
            r.positions.push_back({static_cast<Modality>(modalities[i]), times[i]});
        }
        const auto lengths = f.at("lengths").get<std::vector<std::int64_t>>();
        const auto timings = f.at("timings").get<std::vector<double>>();
        if (lengths.size() != 3 || timings.size() != 8) return false;
        r.textLength = lengths[0];
        r.audioLength = lengths[1];
        r.visualLength = lengths[2];
        r.timings = {timings[0], timings[1], timings[2], timings[3], timings[4], timings[5], timings[6], timings[7]};
        if (f.contains("predictedScore")) r.predictedScore = f.at("predictedScore").get<double>();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

}  // namespace egmf::bundle
