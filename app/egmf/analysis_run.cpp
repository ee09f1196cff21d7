#include "analysis_run.h"

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

std::atomic<bool> g_interrupted{false};

/// Ctrl-C once: stop after cancelling (finished dialogues are kept); twice: the default (quit).
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = false;
        struct sigaction action {};
        action.sa_handler = [](int) { g_interrupted = true; };
        action.sa_flags = SA_RESETHAND;
        ::sigaction(SIGINT, &action, &m_previous);
    }
    ~InterruptGuard() { ::sigaction(SIGINT, &m_previous, nullptr); }

private:
    struct sigaction m_previous {};
};

/// Receives the engine's events on its inference thread and turns results into lines.
class Collector : public EngineObserver {
public:
    Collector(const std::vector<const Dialogue*>& dialogues, AnalyzeOptions options, const std::function<void(const nlohmann::json&)>& sink,
              int totalUtterances)
        : m_dialogues(dialogues), m_options(std::move(options)), m_sink(sink), m_total(totalUtterances), m_bar("analysing", "utterances") {}

    void onProgress(JobId id, int done, int total) override {
        std::lock_guard lock(m_mutex);
        const auto size = static_cast<double>(dialogue(id).utterances.size());
        m_bar.update(m_finished + size * done / std::max(1, total), m_total);
    }
    void onResult(JobId id, const DialogueResult& result) override {
        std::lock_guard lock(m_mutex);
        const auto& input = dialogue(id);
        keep(input, result);
        for (std::size_t i = 0; i < input.utterances.size(); ++i) {
            if (i < result.utterances.size()) {
                const auto& u = result.utterances[i];
                m_sink(utteranceJson(input, input.utterances[i], u, m_options, m_task));
                m_failed += !u.error.empty();
                if (!u.error.empty()) m_bar.note("error: " + input.utterances[i].id + ": " + u.error);
                for (const auto& warning : u.warnings) m_bar.note("warning: " + input.utterances[i].id + ": " + warning);
            } else {
                m_sink(failedUtteranceJson(input, input.utterances[i], "no result for this utterance (please report this)", m_task));
                ++m_failed;
            }
        }
        finishJob(input);
    }
    void onError(JobId id, const Error& error) override {
        std::lock_guard lock(m_mutex);
        if (m_loading) {
            m_loading = false;
            m_loadError = error;
            m_loaded.notify_all();
            return;
        }
        const auto& input = dialogue(id);
        DialogueResult failed{input.id, {}};
        for (const auto& utterance : input.utterances) {
            m_sink(failedUtteranceJson(input, utterance, error.message, m_task));
            UtteranceResult none;
            none.utteranceId = utterance.id;
            none.error = error.message;
            failed.utterances.push_back(std::move(none));
        }
        keep(input, failed);
        m_failed += static_cast<int>(input.utterances.size());
        finishJob(input);
    }

    void onModelLoaded(JobId, const ModelInfo&) override {
        std::lock_guard lock(m_mutex);
        m_loading = false;
        m_loaded.notify_all();
    }
    /// Before Engine::load: the next error is the load's, until it has finished.
    void expectLoad() {
        std::lock_guard lock(m_mutex);
        m_loading = true;
    }
    Result<void> waitForLoad() {
        std::unique_lock lock(m_mutex);
        m_loaded.wait(lock, [&] { return !m_loading; });
        if (m_loadError) return *m_loadError;
        return {};
    }

    /// Set once the checkpoint is loaded, before any job is submitted.
    void setTask(Task task) { m_task = task; }
    /// Each dialogue goes into `bundle` too, as it finishes.
    void setBundle(bundle::Writer* bundle) { m_bundle = bundle; }
    std::string bundleError() const {
        std::lock_guard lock(m_mutex);
        return m_bundleError;
    }
    int jobsDone() const {
        std::lock_guard lock(m_mutex);
        return m_jobsDone;
    }
    int failed() const {
        std::lock_guard lock(m_mutex);
        return m_failed;
    }
    int finished() const {
        std::lock_guard lock(m_mutex);
        return m_finished;
    }
    void finishBar() { m_bar.finish(); }

private:
    /// The engine runs jobs one at a time in submission order, and these jobs are never superseded:
    /// the job an event is about is the first one not finished.
    const Dialogue& dialogue(JobId) const { return *m_dialogues.at(static_cast<std::size_t>(m_jobsDone)); }
    void keep(const Dialogue& input, const DialogueResult& result) {
#ifdef EGMF_WITH_BUNDLE
        if (!m_bundle || !m_bundleError.empty()) return;
        if (auto added = m_bundle->add(input, result); !added.ok()) {
            m_bundleError = added.error().message;
            m_bar.note("error: " + m_bundleError + " (the bundle stops here; the results file goes on)");
        }
#else
        (void)input, (void)result;
#endif
    }
    void finishJob(const Dialogue& input) {
        m_finished += static_cast<int>(input.utterances.size());
        ++m_jobsDone;
        m_bar.update(m_finished, m_total);
    }

    const std::vector<const Dialogue*>& m_dialogues;
    AnalyzeOptions m_options;
    const std::function<void(const nlohmann::json&)>& m_sink;
    const int m_total;
    mutable std::mutex m_mutex;
    std::condition_variable m_loaded;
    bool m_loading = false;
    std::optional<Error> m_loadError;
    int m_finished = 0, m_failed = 0, m_jobsDone = 0;
    Task m_task = Task::Classification;
    bundle::Writer* m_bundle = nullptr;
    std::string m_bundleError;
    ProgressBar m_bar;
};

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
    const auto started = std::chrono::steady_clock::now();
    auto collector = std::make_shared<Collector>(chosen, *options, sink, utterances);
    auto engine = makeEngine(request, collector);
    if (!engine.ok()) return engine.error();
    const auto model = (*engine)->model();
    AnalysisSummary summary;
    summary.manifest = model->manifest;
    summary.device = request.server.empty() ? model->device : request.server + " (" + model->device + ")";
    summary.utterances = utterances;
    collector->setTask(summary.manifest.task);
    if (summary.manifest.task == Task::Classification) {
        std::set<std::string> unknown;
        for (const auto* dialogue : chosen) {
            for (const auto& u : dialogue->utterances) {
                const auto& labels = summary.manifest.labels;
                if (u.goldLabel && std::find(labels.begin(), labels.end(), *u.goldLabel) == labels.end()) unknown.insert(*u.goldLabel);
            }
        }
        for (const auto& label : unknown) {
            std::fprintf(stderr, "note: gold label \"%s\" is not one of the checkpoint's labels; it can never be predicted\n",
                         label.c_str());
        }
    }

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
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        EngineJob job{
            options->disabledModalities.any() || options->disabledExperts.any() ? EngineJob::Kind::Ablation : EngineJob::Kind::Dialogue,
            *chosen[i],
            -1,
            *options,
            {}};
        jobs.push_back((*engine)->submit(std::move(job)));
    }
    while (collector->jobsDone() < static_cast<int>(jobs.size())) {
        if (g_interrupted) {
            for (const auto id : jobs) (*engine)->cancel(id);
            summary.interrupted = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
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
