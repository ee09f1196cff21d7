#pragma once
// What `egmf analyze` and `egmf eval --checkpoint` share: choose dialogues from a dataset, load a
// checkpoint into the background Engine (the same one the Studio uses), analyse with a progress
// bar, and hand each utterance's results line to a sink, in dataset order, as its dialogue
// finishes. Ctrl-C cancels what is left; what was finished has been handed on already.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "egmf/analyzer.h"
#include "egmf/app/analysis_bundle.h"
#include "egmf/app/launch_environment.h"
#include "egmf/engine.h"
#include "egmf/feature_source.h"
#include "egmf/result.h"

namespace egmf::cli {

struct AnalysisRequest {
    std::string checkpoint, dataset;
    std::string split, dialogue;  ///< empty: all
    std::string ablate;           ///< comma-separated: a,v,t (modalities), e1,e2,e3 (experts)
    std::string device = "auto", dtype = "auto";
    int threads = 0;                      ///< 0: every core
    std::vector<std::string> pluginDirs;  ///< --plugin-dir
    /// Reused across runs (its cache keeps the clips' features); null: a new one per run.
    std::shared_ptr<FeatureSource> features;
    /// An engine server (`egmf serve`) instead of this process: HOST:PORT, its certificate (PEM
    /// file) and this client's token (a file, or $EGMF_SERVER_TOKEN).
    std::string server, serverCert, tokenFile;
    /// An analysis bundle to write as well (egmf/app/analysis_bundle.h); empty: none.
    std::string bundle;
    /// The results file (`--out`; "-": standard output): a run of several ranks keeps its parts
    /// beside the bundle, or beside this file when there is no bundle.
    std::string out;
    /// Which rank of how many (from the launcher's variables): several ranks share the work
    /// (shared_analysis.cpp); `--master-addr/--master-port` are in `overrides`.
    cluster::LaunchEnvironment launch;
    cluster::LaunchOverrides overrides;
    bool resume = false;          ///< finish a run of several ranks that was cut short
    int connectTimeoutSec = 120;  ///< to reach the run's store
    int deadAfterSec = 60;        ///< a rank whose heartbeat stands still this long is dead
};

/// --checkpoint, --dataset, --split, --dialogue, [--ablate,] --device, --dtype, --threads,
/// --server, --server-cert, --token-file.
void addAnalysisOptions(CLI::App& command, AnalysisRequest& request, bool withAblation, bool required = true);

/// a,v,t / audio,visual,text and e1,e2,e3 / local,semantic,global; errors name the bad item.
Result<AnalyzeOptions> parseAblation(const std::string& list);

struct AnalysisSummary {
    Manifest manifest;
    std::string device;
    int utterances = 0, failed = 0;
    bool interrupted = false;
    double seconds = 0;
    std::string bundleError;  ///< why the bundle is incomplete ("" when it is whole, or none was asked for)
    std::string rankNote;     ///< a rank other than 0: what it did ("rank 1 of 2: 5 dialogues, part ...")
    double bundleBytesPerUtterance = 0;
};

/// Errors (bad usage or input: exit 2) come back before anything is analysed.
Result<AnalysisSummary> runAnalysis(const AnalysisRequest& request, const std::function<void(const nlohmann::json&)>& sink);

/// --master-addr, --master-port, --resume, --connect-timeout, --dead-after (several ranks).
void addRankOptions(CLI::App& command, AnalysisRequest& request);

// What a run of several ranks (shared_analysis.cpp) shares with a single run.
class Collector;
/// The engine of this run (this process's, or a server's) with the checkpoint loaded.
Result<std::unique_ptr<Engine>> makeEngine(const AnalysisRequest& request, const std::shared_ptr<Collector>& collector);
/// Who made the bundle: the model as it ran, the checkpoint and dataset.
bundle::Identity bundleIdentity(const AnalysisRequest& request, const ModelInfo& model);
/// The engine's job for a dialogue: a plain analysis, or an ablation when `options` switch
/// something off.
EngineJob analysisJob(const Dialogue& dialogue, const AnalyzeOptions& options);
/// Notes the gold labels the checkpoint cannot predict.
void noteUnknownLabels(const Manifest& manifest, const std::vector<const Dialogue*>& dialogues);
/// One run's ranks analyse `chosen` together; rank 0 merges their parts and hands the lines to `sink`.
Result<AnalysisSummary> runSharedAnalysis(const AnalysisRequest& request, const std::vector<const Dialogue*>& chosen, int utterances,
                                          const AnalyzeOptions& options, const std::function<void(const nlohmann::json&)>& sink);

}  // namespace egmf::cli
