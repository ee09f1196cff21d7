#pragma once
// The background engine the Studio and the plugins talk to (ARCHITECTURE.md, threads): one
// inference thread owns the Analyzer; callers submit jobs and get a job id at once; results,
// progress and errors arrive through an EngineObserver, on the inference thread.
//
// Rules: a job for a view (e.g. "the dialogue on screen") supersedes every older job for the same
// view, queued or running; cancel(id) means nothing about that job arrives after it returns; an
// error (or exception) in a job is an error event, never a dead thread; one bad utterance does not
// stop its dialogue (its UtteranceResult carries the error). Intra-op threads are a setting the
// inference thread applies at the start of its next job (OpenMP thread counts are per thread).
// Utterances that bring a clip and no features get them from the FeatureSource first (a clip that
// fails is that utterance's error; it is analysed from its text so the dialogue's context holds).
// The inference thread runs at nice kInferenceNice (Linux): the Studio's UI, decode and sound
// threads win a contended core, so analysis in the background never makes playback late.
// Torch-free header.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "egmf/analysis.h"
#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/dialogue.h"
#include "egmf/feature_source.h"
#include "egmf/result.h"

namespace egmf {

using JobId = std::uint64_t;

/// The inference thread's nice value (and that of the intra-op threads it starts).
inline constexpr int kInferenceNice = 10;

struct EngineJob {
    enum class Kind { Dialogue, Utterance, Ablation };
    Kind kind = Kind::Dialogue;
    Dialogue dialogue;
    int utteranceIndex = -1;   ///< Kind::Utterance: the one reported (the dialogue gives its context)
    AnalyzeOptions options;    ///< Kind::Ablation: the modalities / experts switched off
    std::string view;          ///< jobs for the same non-empty view supersede older ones
};

class EngineObserver {
public:
    virtual ~EngineObserver() = default;
    /// Steps of a job: one per clip whose features are extracted, then one per utterance analysed.
    virtual void onProgress(JobId, int done, int total) { (void)done, (void)total; }
    virtual void onResult(JobId, const DialogueResult&) {}
    virtual void onError(JobId, const Error&) {}
};

/// Bytes a checkpoint needs once loaded (weights + working memory), from its manifest alone.
std::int64_t estimateLoadedBytes(const Manifest& manifest, const std::string& dtype);

/// Resolves device "auto" in `options` and refuses a load whose estimate exceeds 80% of the
/// machine's RAM (CPU) or of the GPU's free memory (CUDA); `where` names the checkpoint.
Result<void> checkLoadFits(const Manifest& manifest, LoadOptions& options, const std::string& where);

class Engine {
public:
    explicit Engine(std::shared_ptr<EngineObserver> observer);
    ~Engine();  ///< cancels everything and joins the inference thread
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Replaces the analyzer (after the running job).
    void load(std::shared_ptr<Analyzer> analyzer);
    /// Loads a native checkpoint, refusing one whose estimate exceeds 80% of the machine's RAM (on
    /// the CPU) or of the GPU's free memory (on CUDA). Device "auto": CUDA when this LibTorch has it
    /// and a GPU is present, else the CPU.
    Result<void> loadCheckpoint(const std::filesystem::path& folder, const LoadOptions& options = {});
    /// The loaded analyzer, for its manifest and device (null when none is loaded); analysing
    /// belongs to the inference thread.
    std::shared_ptr<Analyzer> analyzer() const;
    /// Where clips become features (none: utterances with clips only are analysed from text).
    void setFeatureSource(std::shared_ptr<FeatureSource> source);

    JobId submit(EngineJob job);
    /// True when the job was queued or running; nothing about it arrives after this returns.
    bool cancel(JobId id);
    /// Intra-op threads for the next job: cores, or cores - 1 while a player is active.
    void setThreads(int threads);
    /// Blocks until no job is queued or running.
    void waitIdle();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace egmf
