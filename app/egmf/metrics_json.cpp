#include "metrics_json.h"

#include <algorithm>

#include "egmf/app/metrics_json.h"

namespace egmf::cli {

std::optional<EvalTask> parseEvalTask(const std::string& name) {
    if (name == "erc") return EvalTask::Erc;
    if (name == "msa") return EvalTask::Msa;
    if (name == "msa-sims") return EvalTask::MsaSims;
    return std::nullopt;
}

void Scoring::addResult(const nlohmann::json& line, EvalTask task, const std::string& predictionField) {
    const auto text = [&](const char* key) -> std::optional<std::string> {
        const auto found = line.find(key);
        if (found == line.end() || !found->is_string()) return std::nullopt;
        return found->get<std::string>();
    };
    const auto number = [&](const char* key) -> std::optional<double> {
        const auto found = line.find(key);
        if (found == line.end() || !found->is_number()) return std::nullopt;
        return found->get<double>();
    };
    if (!tag.empty()) {
        const auto tags = line.find("tags");
        const bool tagged = tags != line.end() && tags->is_array() &&
                            std::any_of(tags->begin(), tags->end(), [&](const nlohmann::json& t) { return t.is_string() && t == tag; });
        if (!tagged) {
            ++otherTags;
            return;
        }
    }
    if (const auto error = text("error"); error && !error->empty()) {
        ++failed;
        return;
    }
    if (task == EvalTask::Erc) {
        const auto gold = text("gold");
        const auto predicted = text(predictionField.c_str());
        if (!gold) {
            ++withoutGold;
            return;
        }
        goldLabels.push_back(*gold);
        predictedLabels.push_back(predicted.value_or(""));
        return;
    }
    const auto gold = number("gold");
    if (!gold) {
        ++withoutGold;
        return;
    }
    const auto predicted = number("predictedScore");
    if (!predicted) {
        ++unparsable;
        return;
    }
    goldScores.push_back(*gold);
    predictedScores.push_back(*predicted);
}

nlohmann::json Scoring::metrics(EvalTask task) const {
    nlohmann::json out;
    if (task == EvalTask::Erc) {
        // Labels the model never uses (e.g. "unparsable") still count as wrong predictions.
        auto order = labels;
        if (!order.empty()) {
            for (const auto* list : {&goldLabels, &predictedLabels}) {
                for (const auto& label : *list) {
                    if (std::find(order.begin(), order.end(), label) == order.end()) order.push_back(label);
                }
            }
        }
        out = eval::toJson(eval::classify(goldLabels, predictedLabels, order));
    } else {
        const auto scale = task == EvalTask::Msa ? eval::MsaScale::Mosi : eval::MsaScale::Sims;
        out = eval::toJson(eval::regress(goldScores, predictedScores, scale), scale);
        out["unparsable"] = unparsable;
    }
    out["failed"] = failed;
    out["without_gold"] = withoutGold;
    if (!tag.empty()) {
        out["tag"] = tag;
        out["other_tags"] = otherTags;
    }
    return out;
}

}  // namespace egmf::cli
