#pragma once
// What `egmf train` is asked to do (MODEL.md, Training): everything that decides the weights,
// recorded in the checkpoint's provenance so a run can be repeated and resumed.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "egmf/app/shared_work.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::train {

struct TrainConfig {
    std::string task = "erc";           ///< erc (labels) | msa (SentimentScore regression)
    std::string architecture = "egmf";  ///< egmf | merits-l (merits_trainer.h; ERC only)
    std::uint64_t seed = 1;
    int epochs = 30;
    int patience = 6;               ///< epochs without a better dev score before stopping
    int dialoguesPerStep = 2;       ///< the global batch, whatever the number of processes
    double learningRate = 5e-4;     ///< encoders, fusion, experts, gates, projector
    double llmLearningRate = 5e-4;  ///< the LLM (full) or its LoRA adapter (higher rates diverge from scratch)
    double weightDecay = 0.01;
    double warmupFraction = 0.06;  ///< of all steps, linear warm-up before the cosine decay
    double gradientClip = 1.0;     ///< max global L2 norm
    /// Modality dropout. The demo's faces alone reach 78% and the model leans on them; dropping the
    /// face more often (and the words) makes it learn the voice too (test W-F1 0.866 -> 0.975).
    double textDropout = 0.3, audioDropout = 0.1, visualDropout = 0.4;
    /// full (the tiny demo LLM, trained from scratch) | lora (base frozen, an adapter trains) |
    /// frozen (nothing of the LLM trains: the paper's "w/o LoRA" with a base model)
    std::string llmTraining = "full";
    int vocabSize = 600;  ///< SentencePiece vocabulary trained on the corpus (spm_train)
    /// A Hugging Face model folder to start from (its LLM frozen, a LoRA adapter trained, its own
    /// tokenizer): the checkpoint is written in the Hugging Face layout (egmf/huggingface.h).
    std::string baseModel;
    int maxSteps = 0;  ///< stop after this many optimizer steps (0: whole epochs)
    /// "inverse_sqrt": each utterance's loss weighted by sqrt(N / (K n_label)) over the training
    /// labels (normalised to a mean of 1), so the rare emotions of real data (MELD: 4,710 of
    /// 9,989 neutral, 271 disgust) are not drowned; "none" (default): every utterance alike.
    std::string classWeighting = "none";
    std::map<std::string, double> classWeights;  ///< set by the trainer from the training labels
    /// What the model reads ("modalities": ["text"] trains a text-only model; its checkpoint
    /// says so, and analysing with it never reads a clip).
    Modalities modalities;
    /// The "model" section: the LLM's shape and the history in its prompt, over the demo shape
    /// (0 or -1: keep the demo's value). Real data wants a larger model than the demo corpus.
    struct Shape {
        std::int64_t llmHidden = 0, llmIntermediate = 0, llmLayers = 0, llmHeads = 0, llmKeyValueHeads = 0;
        int historyTurns = -1;
        /// The enhancer's design, in the manifest's words inside "model": "enhancer",
        /// "context": {"module"}, "pooling" (docs/checkpoint.md).
        EnhancerDesign design;
        /// Experts trained without ("model": {"experts": {"removed": ["local"]}}): the paper's
        /// retrained "w/o E_k" rows.
        std::bitset<3> removedExperts;
    } shape;
    /// The model's shape; its task, labels, tokenizer and vocabulary are set by the trainer.
    Manifest model;
    /// demoTrainingManifest() with `shape` and `modalities` applied: what `egmf train` builds.
    Manifest modelManifest() const;

    nlohmann::json toJson() const;
    static Result<TrainConfig> fromJson(const nlohmann::json& json, const std::string& sourceName);
};

/// This process's place in a run of several ranks: the launcher's ranks
/// (egmf/app/launch_environment.h) and the store they met at (egmf/app/rendezvous.h), through
/// which the process group connects.
struct DistributedSetup {
    int rank = 0, world = 1;
    int localRank = 0;                              ///< this rank's place on its machine: its GPU
    std::shared_ptr<cluster::KeyValueStore> store;  ///< null for a world of one
    /// Gradients are summed in buckets of about this size, each sent while the backward pass
    /// goes on (PyTorch DDP's bucket_cap_mb: 25).
    double bucketMegabytes = 25;
};

/// The bundled demo's model shape: small enough to train on two cores in minutes and ship in a few
/// MB (fusion d=96, a 2-layer Llama with hidden 128), 80 log-mel + pitch + energy channels.
Manifest demoTrainingManifest();

}  // namespace egmf::train
