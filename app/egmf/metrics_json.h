#pragma once
// Scoring for `egmf eval`: gold/prediction pairs from a CSV, an analyze JSONL or a fresh analysis,
// turned into the project's metrics (engine/src/eval) as JSON. Undefined metrics are null.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/app/metrics.h"

namespace egmf::cli {

enum class EvalTask { Erc, Msa, MsaSims };

std::optional<EvalTask> parseEvalTask(const std::string& name);

/// The pairs to score and what was left out (and why).
struct Scoring {
    std::vector<std::string> goldLabels, predictedLabels;  ///< ERC
    std::vector<double> goldScores, predictedScores;       ///< MSA
    std::vector<std::string> labels;                       ///< class order for ERC (the checkpoint's); empty: as seen
    int failed = 0;                                        ///< utterances whose analysis failed
    int withoutGold = 0;
    int unparsable = 0;  ///< MSA: the generation gave no number

    std::string tag;    ///< non-empty: only lines with this tag count
    int otherTags = 0;  ///< lines left out by `tag`

    /// Adds one analyze JSON line (fields gold, prediction / predictedScore, error, tags).
    void addResult(const nlohmann::json& line, EvalTask task, const std::string& predictionField);
    /// The metrics, with the counts of what was left out.
    nlohmann::json metrics(EvalTask task) const;
};

}  // namespace egmf::cli
