#pragma once
// egmf::Analyzer is what a checkpoint becomes once loaded, whoever loaded it (the native loader,
// a plugin). The Studio, the `egmf` command line and the plugins all meet here. The interface is
// torch-free: ui/ and app/ compile against it without LibTorch headers.
//
// Threads: an Analyzer is used by one thread at a time (the engine's inference thread); the
// cancel flag and the progress callback are the only things another thread touches.

#include <atomic>
#include <bitset>
#include <functional>

#include "egmf/analysis.h"
#include "egmf/dialogue.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf {

struct AnalyzeOptions {
    std::bitset<kModalityCount> disabledModalities;  ///< ablation: index by Modality
    std::bitset<kExpertCount> disabledExperts;       ///< ablation: local, semantic, global
    bool scoreLabels = true;                         ///< compute labelLogProbs / probabilities / scoredPrediction
    int maxNewTokens = -1;                           ///< -1: the manifest's value
    /// Called after each utterance with (done, total); on the analyzing thread.
    std::function<void(int, int)> progress;
};

class Analyzer {
public:
    virtual ~Analyzer() = default;
    virtual const Manifest& manifest() const = 0;
    /// "cpu" or "cuda:0" etc.
    virtual std::string device() const = 0;
    /// Runs the whole model on every utterance. Stops early with ErrorCode::Cancelled when
    /// `cancel` becomes true.
    virtual Result<DialogueResult> analyzeDialogue(const Dialogue& dialogue, const AnalyzeOptions& options,
                                                   const std::atomic<bool>& cancel) = 0;
};

}  // namespace egmf
