#include "metrics_json.h"

#include <algorithm>

namespace egmf::cli {
namespace {

nlohmann::json optional(const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(); }

nlohmann::json classificationJson(const eval::ClassificationReport& report) {
    nlohmann::json out = {{"count", report.count}, {"accuracy", report.accuracy}, {"weighted_f1", report.weightedF1},
                          {"macro_f1", report.macroF1}, {"kappa", optional(report.kappa)}, {"labels", report.labels},
                          {"confusion", report.confusion}};
    for (const auto& c : report.perClass) {
        out["per_class"][c.label] = {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
    }
    return out;
}

nlohmann::json regressionJson(const eval::RegressionReport& r, EvalTask task) {
    nlohmann::json out = {{"count", r.count}, {"mae", r.mae}, {"pearson", optional(r.pearson)}};
    if (task == EvalTask::Msa) {
        out.update({{"acc2_nonnegative", optional(r.acc2NonNegative)}, {"f1_nonnegative", optional(r.f1NonNegative)},
                    {"acc2_nonzero", optional(r.acc2NonZero)}, {"f1_nonzero", optional(r.f1NonZero)},
                    {"acc7", optional(r.acc7)}, {"acc5", optional(r.acc5)}});
    } else {
        out.update({{"acc2", optional(r.acc2)}, {"f1", optional(r.f1)}, {"acc3", optional(r.acc3)},
                    {"acc5", optional(r.acc5)}, {"acc2_weak", optional(r.acc2Weak)}});
    }
    return out;
}

}  // namespace

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
        out = classificationJson(eval::classify(goldLabels, predictedLabels, order));
    } else {
        out = regressionJson(eval::regress(goldScores, predictedScores, task == EvalTask::Msa ? eval::MsaScale::Mosi
                                                                                             : eval::MsaScale::Sims),
                             task);
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
