#include "analysis_run.h"

#include "analysis_collector.h"
#include "checkpoint_loading.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "egmf/app/analysis_bundle.h"
#include "egmf/app/sha256.h"
#include "egmf/dataset.h"
#include "egmf/local_engine.h"
#ifdef EGMF_WITH_REMOTE
#include "egmf/remote/remote_engine.h"
#endif
#include "egmf/paths.h"
#include "progress_bar.h"
#include "results_jsonl.h"

namespace egmf::cli {
namespace {

bool matchesDialogue(const std::string& id, const std::string& wanted) {
    return wanted.empty() || id == wanted || (id.size() > wanted.size() && id.ends_with("/" + wanted));
}

}  // namespace

void addAnalysisOptions(CLI::App& command, AnalysisRequest& request, bool withAblation, bool required) {
    // Not required: MELD's own CSVs get the bundled meld-text checkpoint (runAnalysis says so).
    command.add_option("--checkpoint", request.checkpoint,
                       "A checkpoint any plugin reads (a native folder, a .egmf archive, ...); default for MELD's own CSVs: "
                       "the bundled meld-text");
    command.add_option("--dataset", request.dataset, "A MELD or MMSA folder, or a manifest CSV")->required(required);
    command.add_option("--split", request.split, "train | dev | test (valid, val = dev); default: all");
    command.add_option("--dialogue", request.dialogue, "One dialogue, e.g. dia3 or test/dia3");
    if (withAblation) {
        command.add_option("--ablate", request.ablate,
                           "Switch off modalities and experts: a,v,t (audio, visual, text), e1,e2,e3 (local, semantic, global)");
    }
    command.add_option("--device", request.device, "auto | cpu | cuda | cuda:N")->capture_default_str();
    command
        .add_option("--dtype", request.dtype,
                    "auto (the weights' dtype on CUDA, float32 on the CPU when it fits) | float32 | bfloat16 | float16")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16", "float16"}))
        ->capture_default_str();
    command.add_option("--threads", request.threads, "Intra-op threads (0: every core)")->capture_default_str();
    command.add_option("--plugin-dir", request.pluginDirs, "A folder of checkpoint plugins, searched before the installed ones");
#ifdef EGMF_WITH_BUNDLE
    command.add_option("--bundle", request.bundle,
                       "Also write an analysis bundle (SQLite) that the Studio opens without the model: File > Open analysis");
#endif
#ifdef EGMF_WITH_REMOTE
    auto* server = command.add_option("--server", request.server,
                                      "HOST:PORT of an engine server (egmf serve) to analyse on; --checkpoint is then a path on the server "
                                      "(default: the model it runs) and clips are read under its --data-root folders");
    command.add_option("--server-cert", request.serverCert, "The server's certificate (PEM), trusted alone")->needs(server);
    command.add_option("--token-file", request.tokenFile, "A file holding this client's token (default: $EGMF_SERVER_TOKEN)")
        ->needs(server);
#endif
}

Result<AnalyzeOptions> parseAblation(const std::string& list) {
    static const std::map<std::string, std::pair<bool, int>> kNames = {
        {"t", {true, 0}},   {"text", {true, 0}},      {"a", {true, 1}},   {"audio", {true, 1}},
        {"v", {true, 2}},   {"visual", {true, 2}},    {"e1", {false, 0}}, {"local", {false, 0}},
        {"e2", {false, 1}}, {"semantic", {false, 1}}, {"e3", {false, 2}}, {"global", {false, 2}}};
    AnalyzeOptions options;
    std::stringstream items(list);
    for (std::string item; std::getline(items, item, ',');) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item.empty()) continue;
        const auto found = kNames.find(item);
        if (found == kNames.end()) {
            return makeError(ErrorCode::InvalidArgument, "--ablate: \"" + item +
                                                             "\" is not one of a, v, t, e1, e2, e3 "
                                                             "(audio, visual, text, local, semantic, global)");
        }
        const auto [modality, index] = found->second;
        if (modality)
            options.disabledModalities.set(static_cast<std::size_t>(index));
        else
            options.disabledExperts.set(static_cast<std::size_t>(index));
    }
    return options;
}

#ifdef EGMF_WITH_REMOTE
Result<std::unique_ptr<Engine>> connectToServer(const AnalysisRequest& request, const std::shared_ptr<Collector>& collector) {
    remote::RemoteOptions options;
    options.address = request.server;
    if (request.serverCert.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "--server needs --server-cert FILE (the server's certificate; `egmf serve` prints where it is)");
    std::ifstream cert(request.serverCert);
    if (!cert) return makeError(ErrorCode::NotFound, request.serverCert + ": cannot be read (--server-cert)");
    options.certificatePem.assign(std::istreambuf_iterator<char>(cert), {});
    if (!request.tokenFile.empty()) {
        std::ifstream token(request.tokenFile);
        if (!token || !std::getline(token, options.token))
            return makeError(ErrorCode::NotFound, request.tokenFile + ": cannot be read (--token-file)");
    } else if (const char* token = std::getenv("EGMF_SERVER_TOKEN")) {
        options.token = token;
    }
    while (!options.token.empty() && std::isspace(static_cast<unsigned char>(options.token.back()))) options.token.pop_back();
    auto engine = remote::RemoteEngine::connect(options, collector);
    if (!engine.ok()) return engine.error();
    if (!request.checkpoint.empty()) {
        collector->expectLoad();
        (*engine)->load(request.checkpoint, {request.device, request.dtype});
        if (auto loaded = collector->waitForLoad(); !loaded.ok()) return loaded.error();
    } else if (!(*engine)->model()) {
        return makeError(ErrorCode::InvalidArgument,
                         request.server + ": the server runs no model yet; name one with --checkpoint PATH (a path on the server)");
    }
    return std::unique_ptr<Engine>(std::move(*engine));
}
#endif

/// The engine of this run: this process's, with the checkpoint loaded (the bundled meld-text for
/// MELD's own CSVs when none is named), or a server's, with the checkpoint named loaded there.
Result<std::unique_ptr<Engine>> makeEngine(const AnalysisRequest& request, const std::shared_ptr<Collector>& collector) {
#ifdef EGMF_WITH_REMOTE
    if (!request.server.empty()) return connectToServer(request, collector);
#endif
    std::string checkpoint = request.checkpoint;
    if (checkpoint.empty()) {
        const auto bundled = bundledCheckpointFor(request.dataset);
        if (bundled.empty()) {
            return makeError(ErrorCode::InvalidArgument, request.dataset +
                                                             ": name a checkpoint with --checkpoint DIR (a bundled one is "
                                                             "chosen only for MELD's own CSVs)");
        }
        checkpoint = (shareDir() / "checkpoints" / bundled).string();
        std::fprintf(stderr,
                     "note: no --checkpoint named: %s holds MELD's own annotations, so the bundled %s checkpoint "
                     "analyses it (%s)\n",
                     request.dataset.c_str(), bundled.c_str(), checkpoint.c_str());
    }
    auto engine = std::make_unique<LocalEngine>(collector, checkpointOpener(request.pluginDirs));
    auto features = request.features;
#ifdef EGMF_WITH_MEDIA
    if (!features) features = makeClipFeatureSource();
#endif
    engine->setFeatureSource(features);
    engine->setThreads(request.threads > 0 ? request.threads : static_cast<int>(std::thread::hardware_concurrency()));
    if (auto loaded = engine->loadAndWait(checkpoint, {request.device, request.dtype}); !loaded.ok()) return loaded.error();
    return std::unique_ptr<Engine>(std::move(engine));
}

EngineJob analysisJob(const Dialogue& dialogue, const AnalyzeOptions& options) {
    const bool ablated = options.disabledModalities.any() || options.disabledExperts.any();
    return EngineJob{ablated ? EngineJob::Kind::Ablation : EngineJob::Kind::Dialogue, dialogue, -1, options, {}};
}

void noteUnknownLabels(const Manifest& manifest, const std::vector<const Dialogue*>& dialogues) {
    if (manifest.task != Task::Classification) return;
    std::set<std::string> unknown;
    for (const auto* dialogue : dialogues) {
        for (const auto& u : dialogue->utterances) {
            const auto& labels = manifest.labels;
            if (u.goldLabel && std::find(labels.begin(), labels.end(), *u.goldLabel) == labels.end()) unknown.insert(*u.goldLabel);
        }
    }
    for (const auto& label : unknown) {
        std::fprintf(stderr, "note: gold label \"%s\" is not one of the checkpoint's labels; it can never be predicted\n", label.c_str());
    }
}

/// Who made the bundle: the model as it ran, the checkpoint's manifest.json by hash where this
/// machine can read it (a server's path may not be), the dataset.
bundle::Identity bundleIdentity(const AnalysisRequest& request, const ModelInfo& model) {
    bundle::Identity identity;
    identity.manifestJson = serializeManifest(model.manifest);
    const auto manifestFile = std::filesystem::path(model.checkpoint) / "manifest.json";
    if (auto hash = sha256File(manifestFile); hash.ok()) identity.manifestSha256 = *hash;
    std::error_code ec;
    const auto checkpoint = std::filesystem::weakly_canonical(model.checkpoint, ec);
    identity.checkpoint = !request.server.empty() ? request.server + ":" + model.checkpoint : ec ? model.checkpoint : checkpoint.string();
    identity.loader = model.loader;
    identity.device = model.device;
    identity.dtype = model.dtype;
    const auto dataset = std::filesystem::weakly_canonical(request.dataset, ec);
    identity.dataset = ec ? request.dataset : dataset.string();
    identity.createdBy = "egmf analyze";
    return identity;
}

Result<AnalysisSummary> runAnalysis(const AnalysisRequest& request, const std::function<void(const nlohmann::json&)>& sink) {
    auto options = parseAblation(request.ablate);
    if (!options.ok()) return options.error();
    const auto split = canonicalSplit(request.split);
    if (!request.split.empty() && split.empty()) {
        return makeError(ErrorCode::InvalidArgument, "--split " + request.split + ": use train, dev or test (valid, val = dev)");
    }
    auto dataset = readDataset(request.dataset);
    if (!dataset.ok()) return dataset.error();
    std::vector<const Dialogue*> chosen;
    int utterances = 0;
    for (const auto& dialogue : dataset->dialogues) {
        if ((split.empty() || dialogue.split == split) && matchesDialogue(dialogue.id, request.dialogue)) {
            chosen.push_back(&dialogue);
            utterances += static_cast<int>(dialogue.utterances.size());
        }
    }
    if (chosen.empty()) {
        return makeError(ErrorCode::InvalidArgument, request.dataset + ": no dialogue matches" +
                                                         (request.split.empty() ? "" : " --split " + request.split) +
                                                         (request.dialogue.empty() ? "" : " --dialogue " + request.dialogue) +
                                                         "; `egmf dataset check` lists what the dataset has");
    }
    if (!dataset->problems.empty()) {
        // Counts per kind, then the first of each (a missing clip, a clip without a row, a bad row...).
        std::fprintf(stderr, "note: %s has %zu problems (the rest is analysed):\n", request.dataset.c_str(), dataset->problems.size());
        for (const auto& group : groupProblems(dataset->problems, 3)) {
            std::fprintf(stderr, "  %zu %s, e.g.\n", group.count, problemKindName(group.kind));
            for (const auto* p : group.examples) std::fprintf(stderr, "    %s: %s\n", p->where.c_str(), p->message.c_str());
        }
        std::fprintf(stderr, "  `egmf dataset check --all` lists every one\n");
    }
#ifdef EGMF_WITH_BUNDLE
    if (request.launch.distributed()) return runSharedAnalysis(request, chosen, utterances, *options, sink);
#else
    if (request.launch.distributed()) {
        return makeError(
            ErrorCode::Unsupported,
            request.launch.describe() + ": this build (model-only, no SQLite) cannot share an analysis between ranks; run one process");
    }
#endif
    const auto started = std::chrono::steady_clock::now();
    auto collector = std::make_shared<Collector>(*options, sink, utterances);
    for (const auto* dialogue : chosen) collector->expect(dialogue);
    auto engine = makeEngine(request, collector);
    if (!engine.ok()) return engine.error();
    const auto model = (*engine)->model();
    AnalysisSummary summary;
    summary.manifest = model->manifest;
    summary.device = request.server.empty() ? model->device : request.server + " (" + model->device + ")";
    summary.utterances = utterances;
    collector->setTask(summary.manifest.task);
    noteUnknownLabels(summary.manifest, chosen);

    std::optional<bundle::Writer> bundleWriter;
#ifdef EGMF_WITH_BUNDLE
    if (!request.bundle.empty()) {
        auto created = bundle::Writer::create(request.bundle, bundleIdentity(request, *model));
        if (!created.ok()) return created.error();
        bundleWriter = std::move(*created);
        collector->setBundle(&*bundleWriter);
    }
#endif

    InterruptGuard interrupts;
    std::vector<JobId> jobs;
    for (const auto* dialogue : chosen) jobs.push_back((*engine)->submit(analysisJob(*dialogue, *options)));
    if (!collector->waitForJobs(static_cast<int>(jobs.size()), InterruptGuard::interrupted)) {
        for (const auto id : jobs) (*engine)->cancel(id);
        summary.interrupted = true;
    }
    collector->finishBar();
    summary.bundleError = collector->bundleError();
#ifdef EGMF_WITH_BUNDLE
    if (bundleWriter && summary.bundleError.empty()) {
        if (summary.interrupted) {
            summary.bundleError = "interrupted: the dialogues finished are in it, without a completion record";
        } else if (auto finished = bundleWriter->finish(static_cast<int>(chosen.size())); !finished.ok()) {
            summary.bundleError = finished.error().message;
        }
        bundleWriter.reset();  // closed: its size is the file's
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(request.bundle, ec);
        if (!ec && utterances > 0) summary.bundleBytesPerUtterance = static_cast<double>(bytes) / utterances;
    }
#endif
    summary.failed = collector->failed();
    summary.utterances = collector->finished();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace egmf::cli
