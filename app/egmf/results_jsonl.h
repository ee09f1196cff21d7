#pragma once
// The results file of `egmf analyze`: one JSON object per utterance and line (JSONL), written as
// analysis proceeds so an interrupted run keeps every finished dialogue. `egmf eval` and
// `egmf export` read it back. Fields: id, dialogue, split, speaker, text, clip, tags, gold (label,
// score or null), prediction, scoredPrediction, predictedScore, probabilities (label -> p, null
// for regression), generated, gates (mean per expert overall and per modality, alpha mean),
// attention (shapes), lengths, timings (ms per stage), ablation, error (null when none).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/analyzer.h"
#include "egmf/result.h"

namespace egmf::cli {

/// `task` chooses the gold: the label (classification) or the score (regression).
nlohmann::json utteranceJson(const Dialogue& dialogue, const Utterance& input, const UtteranceResult& result, const AnalyzeOptions& options,
                             Task task);

/// A line for an utterance whose whole dialogue failed (the engine's error event).
nlohmann::json failedUtteranceJson(const Dialogue& dialogue, const Utterance& input, const std::string& error, Task task);

/// Every line of a results file; errors name the file and line.
Result<std::vector<nlohmann::json>> readResults(const std::filesystem::path& file);

}  // namespace egmf::cli
