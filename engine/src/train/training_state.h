#pragma once
// The state a run resumes from, written by rank 0 after each epoch: the trained weights, the
// optimizer and the counters, in a folder training/state-N written beside and renamed whole, so a
// kill at any moment leaves the previous state or this one, never a mix
// (lastTrainingState() in egmf/app/trainer.h finds the newest).

#include <filesystem>

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>
#include <nlohmann/json.hpp>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::train {

/// training/state-`epoch` from the model, the optimizer and `state` (the counters); older states go.
Result<void> saveTrainingState(const torch::nn::Module& model, const Manifest& manifest, torch::optim::Optimizer& optimizer,
                               const nlohmann::json& state, const std::filesystem::path& training, int epoch);

/// A resumed optimizer's moments are read onto the CPU; they follow the parameters to `device`.
void moveOptimizerState(torch::optim::AdamW& optimizer, const at::Device& device);

}  // namespace egmf::train
