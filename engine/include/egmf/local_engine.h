#pragma once
// LocalEngine: the Engine (egmf/engine.h) in this process. One inference thread owns the Analyzer
// and runs the jobs in order; a loader thread reads the next checkpoint while the current model
// goes on analysing, and the new model takes over after the running job.
//
// Every load takes one road: a CheckpointOpener decides on the caller's thread, without reading
// weights, which loader reads the checkpoint and whether it fits (egmf/checkpoint.h's rule); the
// PreparedLoad it returns then reads the weights, on the loader thread (load) or on the caller's
// (loadAndWait, for the command line and tests). The Studio and the CLI open checkpoints through
// the plugin host's opener; nativeCheckpointOpener() serves builds without plugins.
//
// The inference thread runs at nice kInferenceNice (Linux): the Studio's UI, decode and sound
// threads win a contended core, so analysis in the background never makes playback late.
// Torch-free header.

#include <functional>
#include <memory>

#include "egmf/engine.h"
#include "egmf/feature_source.h"

namespace egmf {

/// The inference thread's nice value (and that of the intra-op threads it starts).
inline constexpr int kInferenceNice = 10;

/// A load decided and checked, its weights not read yet.
struct PreparedLoad {
    ModelInfo model;  ///< what will run: manifest, loader, resolved device and dtype
    std::function<Result<std::unique_ptr<Analyzer>>(const LoadControl&)> run;
};

using CheckpointOpener = std::function<Result<PreparedLoad>(const std::filesystem::path&, const LoadOptions&)>;

/// Native folders and Hugging Face layout folders through loadNativeCheckpoint.
CheckpointOpener nativeCheckpointOpener();

class LocalEngine final : public Engine {
public:
    explicit LocalEngine(std::shared_ptr<EngineObserver> observer, CheckpointOpener opener = nativeCheckpointOpener());
    ~LocalEngine() override;  ///< cancels everything and joins its threads
    LocalEngine(const LocalEngine&) = delete;
    LocalEngine& operator=(const LocalEngine&) = delete;

    JobId load(const std::filesystem::path& checkpoint, const LoadOptions& options) override;
    std::optional<ModelInfo> model() const override;
    JobId submit(EngineJob job) override;
    bool cancel(JobId id) override;
    void setThreads(int threads) override;
    void waitIdle() override;

    // In this process only.
    /// The same road as load(), on this thread; `progress` gets 0..1. No events.
    Result<ModelInfo> loadAndWait(const std::filesystem::path& checkpoint, const LoadOptions& options,
                                  const std::function<void(double)>& progress = {});
    /// Runs `analyzer` from the next job on (one built by the caller: tests, benchmarks).
    void use(std::shared_ptr<Analyzer> analyzer, const std::string& checkpoint = {});
    /// The analyzer in use (null before the first load); analysing belongs to the inference thread.
    std::shared_ptr<Analyzer> analyzer() const;
    /// Where clips become features (none: utterances with clips only are analysed from text).
    void setFeatureSource(std::shared_ptr<FeatureSource> source);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace egmf
