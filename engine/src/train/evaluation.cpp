#include "evaluation.h"

#include <c10/core/InferenceMode.h>

#include "egmf/app/metrics_json.h"
#include "runtime/egmf_runner.h"
#include "runtime/trace_values.h"

namespace egmf::train {

Evaluation evaluate(model::EgmfImpl& model, const tokenizer::Tokenizer& tokenizer, const std::vector<Dialogue>& dialogues,
                    const AnalyzeOptions& options) {
    const bool wasTraining = model.is_training();
    model.eval();
    Evaluation out;
    std::vector<std::string> goldLabels, predictedLabels;
    std::vector<double> goldScores, predictedScores;
    int unparsable = 0;
    {
        c10::InferenceMode inference;
        runtime::EgmfRunner runner(model, tokenizer);
        const std::atomic<bool> cancel{false};
        for (const auto& dialogue : dialogues) {
            auto traces = runner.run(dialogue, options, cancel);
            if (!traces) continue;
            for (std::size_t i = 0; i < traces->size(); ++i) {
                const auto& u = dialogue.utterances[i];
                auto result = runtime::traceToResult(model.manifest(), tokenizer, u, (*traces)[i]);
                if (model.manifest().task == Task::Classification && u.goldLabel) {
                    goldLabels.push_back(*u.goldLabel);
                    predictedLabels.push_back(result.prediction);
                    unparsable += result.prediction == kUnparsable;
                } else if (model.manifest().task == Task::Regression && u.goldScore) {
                    goldScores.push_back(*u.goldScore);
                    predictedScores.push_back(result.predictedScore.value_or(0.0));
                    unparsable += !result.predictedScore.has_value();
                }
                out.results.push_back(std::move(result));
            }
        }
    }
    if (model.manifest().task == Task::Classification) {
        auto labels = model.manifest().labels;
        if (unparsable > 0) labels.push_back(kUnparsable);
        const auto report = eval::classify(goldLabels, predictedLabels, labels);
        out.metrics = eval::toJson(report);
        out.score = report.weightedF1;
    } else {
        const auto report = eval::regress(goldScores, predictedScores, eval::MsaScale::Mosi);
        out.metrics = eval::toJson(report, eval::MsaScale::Mosi);
        out.score = -report.mae;
    }
    out.metrics["unparsable"] = unparsable;
    if (wasTraining) model.train();
    return out;
}

}  // namespace egmf::train
