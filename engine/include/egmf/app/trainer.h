#pragma once
// `egmf train` (MODEL.md, Training): trains an EGMF checkpoint on a dataset whose
// utterances already carry their features. Per epoch: the training dialogues in a seeded order,
// steps of `dialoguesPerStep` dialogues (shared over the processes of a c10d group), AdamW with
// linear warm-up then cosine decay, gradients clipped to a global norm; then the dev split scored
// with the project's metrics; the best epoch's weights are kept and training stops after
// `patience` epochs without improvement. The state after each epoch (weights, optimizer, counters)
// lets an interrupted run resume where it stopped. The checkpoint's manifest records the seed,
// the data, the configuration, the command, and the dev and test metrics.
//
// Frozen base + LoRA (llmTraining "lora": only the adapter of the LLM trains) or full training
// (the tiny demo LLM, which has no pretrained weights). The tokenizer is trained by spm_train on
// the training text when the configuration asks for one (the demo), so the vocabulary fits.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/dialogue.h"
#include "egmf/result.h"
#include "train_config.h"

namespace egmf::train {

struct TrainingData {
    std::vector<Dialogue> train, dev, test;  ///< utterances with features
    std::vector<std::string> labels;         ///< ERC classes (the dataset's order)
    std::string source;                      ///< the dataset's path, for the provenance
    nlohmann::json details;                  ///< more provenance (the demo corpus's demo.json: its seed)
};

struct TrainEvent {
    int epoch = 0, epochs = 0;
    int step = 0, steps = 0;  ///< within the epoch
    double loss = 0;          ///< running mean of this epoch
    std::string phase;        ///< "train" | "dev" | "epoch" (finished: devScore set) | "test"
    double devScore = 0;
};

struct EpochRecord {
    int epoch = 0;
    double trainLoss = 0, devScore = 0, seconds = 0, utterancesPerSecond = 0;
};

struct TrainReport {
    std::vector<EpochRecord> epochs;
    int bestEpoch = 0;
    nlohmann::json dev, test;
    double seconds = 0;
    double utterancesPerSecond = 0;  ///< training utterances per second over all epochs (this rank's world)
};

struct TrainRun {
    TrainConfig config;
    TrainingData data;
    std::filesystem::path out;  ///< the checkpoint folder
    DistributedSetup distributed;
    bool resume = false;
    std::string command;  ///< recorded in the manifest
    std::function<void(const TrainEvent&)> progress;
    int threads = 0;  ///< intra-op threads of this process (0: LibTorch's choice)
    /// "auto" (CUDA where this LibTorch has it, else the CPU) | "cpu" | "cuda" (the GPU of this
    /// rank's local rank: one GPU per rank) | "cuda:N".
    std::string device = "auto";
    /// Keep only each LLM layer's input and recompute the rest in the backward pass
    /// (model/llm/layer_checkpoint.h); on by default on CUDA, where a large base needs it.
    std::optional<bool> checkpointActivations;
    /// "float32" | "bfloat16": a Hugging Face base kept in bfloat16, the passes under autocast,
    /// what trains in float32 (mixed_precision.h).
    std::string dtype = "float32";
};

Result<TrainReport> runTraining(const TrainRun& run);

/// The newest complete training state under `out` (training/state-N, each renamed whole once
/// written); empty when there is none. Its N: the epochs it has done.
std::filesystem::path lastTrainingState(const std::filesystem::path& out);

}  // namespace egmf::train
