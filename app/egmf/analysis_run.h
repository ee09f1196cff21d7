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
    double bundleBytesPerUtterance = 0;
};

/// Errors (bad usage or input: exit 2) come back before anything is analysed.
Result<AnalysisSummary> runAnalysis(const AnalysisRequest& request, const std::function<void(const nlohmann::json&)>& sink);

}  // namespace egmf::cli
