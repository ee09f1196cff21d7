#pragma once
// The engine the Studio, the command line and the plugins talk to (ARCHITECTURE.md, threads):
// callers load a checkpoint and submit jobs and get an id at once; loads, results, progress and
// errors arrive through an EngineObserver, on the engine's threads. Engine is the interface;
// LocalEngine (egmf/local_engine.h) is the in-process implementation: one inference thread owns
// the Analyzer, a loader thread reads the next one.
//
// Rules: a job for a view (e.g. "the dialogue on screen") supersedes every older job for the same
// view, queued or running; cancel(id) means nothing about that job arrives after it returns; an
// error (or exception) in a job is an error event, never a dead thread; one bad utterance does not
// stop its dialogue (its UtteranceResult carries the error). Intra-op threads are a setting the
// inference thread applies at the start of its next job (OpenMP thread counts are per thread).
// Utterances that bring a clip and no features get them from the engine's feature source first (a
// clip that fails is that utterance's error; it is analysed from its text so the dialogue's
// context holds).
// Torch-free header.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "egmf/analysis.h"
#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/dialogue.h"
#include "egmf/result.h"

namespace egmf {

using JobId = std::uint64_t;

struct EngineJob {
    enum class Kind { Dialogue, Utterance, Ablation };
    Kind kind = Kind::Dialogue;
    Dialogue dialogue;
    int utteranceIndex = -1;  ///< Kind::Utterance: the one reported (the dialogue gives its context)
    AnalyzeOptions options;   ///< Kind::Ablation: the modalities / experts switched off
    std::string view;         ///< jobs for the same non-empty view supersede older ones
};

struct ModelInfo;

/// Events, on the engine's threads (an implementation that shows them on a UI thread queues them).
class EngineObserver {
public:
    virtual ~EngineObserver() = default;
    /// Steps of a job: one per clip whose features are extracted, then one per utterance analysed.
    virtual void onProgress(JobId, int done, int total) { (void)done, (void)total; }
    virtual void onResult(JobId, const DialogueResult&) {}
    /// A job or a load failed.
    virtual void onError(JobId, const Error&) {}
    /// A load's progress, 0..1, while the weights are read.
    virtual void onLoadProgress(JobId, double fraction) { (void)fraction; }
    /// A load finished: jobs from now on run on this model.
    virtual void onModelLoaded(JobId, const ModelInfo&) {}
};

/// The model an engine runs, as its load resolved it.
struct ModelInfo {
    Manifest manifest;
    std::string checkpoint;  ///< the path the load was asked for
    std::string loader;      ///< the plugin (or built-in loader) that read it
    std::string device;      ///< "cpu", "cuda:0"
    std::string dtype;       ///< "float32", "bfloat16", "float16"; "" when unknown
};

/// The engine the Studio, the command line and the plugins depend on. LocalEngine
/// (egmf/local_engine.h) runs the model in this process; a remote engine is another
/// implementation of the same contract.
class Engine {
public:
    virtual ~Engine() = default;

    /// Loads a checkpoint in the background and returns the load's id at once. The model in use
    /// (if any) goes on analysing until the new one is ready; then onModelLoaded, after which jobs
    /// run on the new model. onLoadProgress reports 0..1; a failure is onError with the load's
    /// id; cancel(id) stops it. A newer load supersedes one still running.
    virtual JobId load(const std::filesystem::path& checkpoint, const LoadOptions& options) = 0;
    /// The model in use; nullopt before the first load has finished.
    virtual std::optional<ModelInfo> model() const = 0;

    virtual JobId submit(EngineJob job) = 0;
    /// True when the job or load was queued or running; nothing about it arrives after this returns.
    virtual bool cancel(JobId id) = 0;
    /// Intra-op threads for the next job: cores, or cores - 1 while a player is active.
    virtual void setThreads(int threads) = 0;
    /// Blocks until no job or load is queued or running.
    virtual void waitIdle() = 0;
};

}  // namespace egmf
