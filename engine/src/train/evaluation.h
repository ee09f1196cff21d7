#pragma once
// Scoring a model during and after training: the dialogues are analysed exactly as the engine
// analyses them (greedy generation, label scoring) and the generated answers scored with the
// project's metrics. The score early stopping watches: weighted F1 (ERC) or -MAE (MSA; an
// unparsable answer counts as 0).

#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/analysis.h"
#include "egmf/analyzer.h"
#include "egmf/app/tokenizer.h"
#include "egmf/dialogue.h"
#include "model/egmf.h"

namespace egmf::train {

struct Evaluation {
    nlohmann::json metrics;  ///< the metrics report + "unparsable"
    double score = 0;        ///< higher is better
    std::vector<UtteranceResult> results;
};

Evaluation evaluate(model::EgmfImpl& model, const tokenizer::Tokenizer& tokenizer, const std::vector<Dialogue>& dialogues,
                    const AnalyzeOptions& options = {});

}  // namespace egmf::train
