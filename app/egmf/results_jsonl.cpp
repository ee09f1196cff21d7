#include "results_jsonl.h"

#include <fstream>

namespace egmf::cli {
namespace {

using nlohmann::json;

const char* modalityName(Modality modality) {
    switch (modality) {
        case Modality::Text:
            return "text";
        case Modality::Audio:
            return "audio";
        case Modality::Visual:
            return "visual";
    }
    return "?";
}

json baseJson(const Dialogue& dialogue, const Utterance& input, Task task) {
    json gold;
    if (task == Task::Classification && input.goldLabel) gold = *input.goldLabel;
    if (task == Task::Regression && input.goldScore) gold = *input.goldScore;
    return {{"id", input.id},     {"dialogue", dialogue.id}, {"split", dialogue.split}, {"speaker", input.speaker},
            {"text", input.text}, {"clip", input.clipPath},  {"tags", input.tags},      {"gold", gold}};
}

/// Mean gate per expert over the positions `keep` selects; null when it selects none.
template <typename Keep>
json gateMeans(const UtteranceResult& result, Keep keep) {
    const auto& g = result.gates.gates;
    if (g.shape.size() != 2 || g.shape[1] != kExpertCount) return nullptr;
    double sums[kExpertCount] = {0, 0, 0};
    int rows = 0;
    for (std::int64_t t = 0; t < g.shape[0]; ++t) {
        if (!keep(t)) continue;
        ++rows;
        for (int e = 0; e < kExpertCount; ++e) sums[e] += g.values[static_cast<std::size_t>(t * kExpertCount + e)];
    }
    if (rows == 0) return nullptr;
    json out;
    for (int e = 0; e < kExpertCount; ++e) out[kExpertNames[e]] = sums[e] / rows;
    return out;
}

json gatesJson(const UtteranceResult& result) {
    json gates = {{"mean", gateMeans(result, [](std::int64_t) { return true; })}};
    for (auto modality : {Modality::Text, Modality::Audio, Modality::Visual}) {
        gates[modalityName(modality)] = gateMeans(result, [&](std::int64_t t) {
            return t < static_cast<std::int64_t>(result.positions.size()) && result.positions[t].modality == modality;
        });
    }
    const auto& alpha = result.gates.alpha;
    double sum = 0;
    for (float a : alpha) sum += a;
    gates["alpha"] = alpha.empty() ? json() : json(sum / static_cast<double>(alpha.size()));
    if (result.gates.modalityGates.size() == 3) {  // a model with a modality gate above its experts
        const auto& g = result.gates.modalityGates;
        gates["modality"] = {{"text", g[0]}, {"audio", g[1]}, {"visual", g[2]}};
    }
    return gates;
}

json ablationJson(const AnalyzeOptions& options) {
    json off = json::array();
    for (auto modality : {Modality::Text, Modality::Audio, Modality::Visual}) {
        if (options.disabledModalities[static_cast<std::size_t>(modality)]) off.push_back(modalityName(modality));
    }
    for (int e = 0; e < kExpertCount; ++e) {
        if (options.disabledExperts[static_cast<std::size_t>(e)]) off.push_back(kExpertNames[e]);
    }
    return off;
}

}  // namespace

json utteranceJson(const Dialogue& dialogue, const Utterance& input, const UtteranceResult& result, const AnalyzeOptions& options,
                   Task task) {
    auto line = baseJson(dialogue, input, task);
    json probabilities;
    for (std::size_t i = 0; i < result.labels.size() && i < result.probabilities.size(); ++i) {
        probabilities[result.labels[i]] = result.probabilities[i];
    }
    const auto& t = result.timings;
    line.update({{"prediction", result.prediction},
                 {"scoredPrediction", result.scoredPrediction.empty() ? json() : json(result.scoredPrediction)},
                 {"predictedScore", result.predictedScore ? json(*result.predictedScore) : json()},
                 {"probabilities", probabilities},
                 {"generated", result.generated},
                 {"gates", gatesJson(result)},
                 {"attention", {{"textToAv", result.attention.textToAv.shape}, {"avToText", result.attention.avToText.shape}}},
                 {"lengths", {{"text", result.textLength}, {"audio", result.audioLength}, {"visual", result.visualLength}}},
                 {"timings",
                  {{"featuresMs", t.featuresMs},
                   {"encodeMs", t.encodeMs},
                   {"fusionMs", t.fusionMs},
                   {"contextMs", t.contextMs},
                   {"enhanceMs", t.enhanceMs},
                   {"promptMs", t.promptMs},
                   {"generateMs", t.generateMs},
                   {"scoreMs", t.scoreMs},
                   {"totalMs", t.totalMs()}}},
                 {"ablation", ablationJson(options)},
                 {"error", result.error.empty() ? json() : json(result.error)},
                 {"warnings", result.warnings}});
    return line;
}

json failedUtteranceJson(const Dialogue& dialogue, const Utterance& input, const std::string& error, Task task) {
    auto line = baseJson(dialogue, input, task);
    line["error"] = error;
    return line;
}

Result<std::vector<json>> readResults(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return makeError(ErrorCode::NotFound, file.string() + ": cannot open the results file; check the path");
    std::vector<json> lines;
    std::string text;
    for (int number = 1; std::getline(in, text); ++number) {
        if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto parsed = json::parse(text, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            return makeError(ErrorCode::Corrupt, file.string() + ":" + std::to_string(number) +
                                                     ": not a JSON object; expected the JSONL that `egmf analyze` writes");
        }
        lines.push_back(std::move(parsed));
    }
    return lines;
}

}  // namespace egmf::cli
