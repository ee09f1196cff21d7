#pragma once
// `egmf ablation --retrain`: the paper's Table IV as it was made, one model trained per ablation
// (the same data, config and seeds; each row's component absent while training and analysing)
// next to the inference-only ablation of the full model (the component switched off in the
// trained full model). Each training is `egmf train` in a process of its own, with --resume: a
// run cut short goes on where it stopped, finished rows are not trained again.

#include <cstdint>
#include <string>
#include <vector>

#include "analysis_run.h"

namespace egmf::cli {

struct RetrainOptions {
    std::string out;          ///< one folder per row and seed: OUT/<row>/seed-<N>
    std::string trainConfig;  ///< the training config (JSON) every row starts from; empty: defaults
    std::string baseModel;    ///< a Hugging Face base: LoRA trains, and the "w/o LoRA" row is added
    std::vector<std::uint64_t> seeds{1};
    int epochs = 0;            ///< 0: the config's
    std::string featureCache;  ///< shared by every training
    std::string json;          ///< also write the table as JSON here
    /// Only these rows, by their folder names (full, without-text, ..., without-lora); empty: all.
    std::vector<std::string> rows;
};

/// Trains and scores every row on `analysis.split`; prints the table. The exit status of the command.
int runRetrainedAblations(const RetrainOptions& options, const AnalysisRequest& analysis);

}  // namespace egmf::cli
