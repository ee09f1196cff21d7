// `egmf bench serve` (egmf/bench/benchmarks.h): the remote engine against the local one, on localhost.
// Both engines run the same random demo-size checkpoint on the same synthetic dialogues with the
// same threads; a local and a remote run alternate, so a noisy machine slows both alike.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "egmf/checkpoint.h"
#include "egmf/local_engine.h"
#include "egmf/remote/engine_server.h"
#include "egmf/remote/remote_engine.h"
#include "synthetic_dialogue.h"

namespace egmf {
namespace {

using Clock = std::chrono::steady_clock;

/// Counts finished jobs; any error stops the benchmark.
class Counter : public EngineObserver {
public:
    void onResult(JobId, const DialogueResult&) override { finish({}); }
    void onError(JobId, const Error& error) override { finish(error.message); }
    Result<void> waitFor(int jobs) {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [&] { return m_finished >= jobs; });
        m_finished -= jobs;
        if (!m_error.empty()) return makeError(ErrorCode::Internal, m_error);
        return {};
    }

private:
    void finish(std::string error) {
        std::lock_guard lock(m_mutex);
        ++m_finished;
        if (!error.empty()) m_error = std::move(error);
        m_done.notify_all();
    }
    std::mutex m_mutex;
    std::condition_variable m_done;
    int m_finished = 0;
    std::string m_error;
};

/// Milliseconds per utterance of one dialogue, submit to result.
Result<double> timeDialogue(Engine& engine, Counter& counter, const Dialogue& dialogue) {
    const auto start = Clock::now();
    engine.submit({EngineJob::Kind::Dialogue, dialogue, -1, {}, {}});
    if (auto done = counter.waitFor(1); !done.ok()) return done.error();
    return bench::secondsSince(start) * 1000.0 / static_cast<double>(dialogue.utterances.size());
}

/// Dialogues per second with `clients` engines each submitting `perClient` dialogues at once.
Result<double> throughput(const std::vector<std::pair<Engine*, Counter*>>& clients, const Dialogue& dialogue, int perClient) {
    const auto start = Clock::now();
    for (const auto& [engine, counter] : clients)
        for (int i = 0; i < perClient; ++i) engine->submit({EngineJob::Kind::Dialogue, dialogue, -1, {}, {}});
    for (const auto& [engine, counter] : clients)
        if (auto done = counter->waitFor(perClient); !done.ok()) return done.error();
    return static_cast<double>(clients.size() * static_cast<std::size_t>(perClient)) / bench::secondsSince(start);
}

}  // namespace

Result<ServeBenchReport> benchServe(const ServeBenchOptions& options) {
    auto work = bench::WorkDir::create(options.workDir, "egmf-bench-serve");
    if (!work) return work.error();
    const auto checkpoint = work->path() / "checkpoint";
    const auto manifest = demoManifest();
    if (auto made = createRandomCheckpoint(checkpoint, manifest, 1); !made) return made.error();
    const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    auto localCounter = std::make_shared<Counter>();
    LocalEngine local(localCounter);
    local.setThreads(threads);
    if (auto loaded = local.loadAndWait(checkpoint, {"cpu", "float32"}); !loaded) return loaded.error();

    remote::ServerOptions serverOptions;
    serverOptions.listen = "127.0.0.1:0";
    serverOptions.stateDir = work->path() / "server";
    serverOptions.log = [](const std::string&) {};
    auto server =
        remote::EngineServer::start(serverOptions, [&](std::shared_ptr<EngineObserver> observer) -> Result<std::unique_ptr<Engine>> {
            auto engine = std::make_unique<LocalEngine>(std::move(observer));
            engine->setThreads(threads);
            if (auto loaded = engine->loadAndWait(checkpoint, {"cpu", "float32"}); !loaded) return loaded.error();
            return std::unique_ptr<Engine>(std::move(engine));
        });
    if (!server) return server.error();
    remote::ClientRegistry clients(serverOptions.stateDir / "clients.json");
    remote::RemoteOptions remoteOptions;
    remoteOptions.address = "127.0.0.1:" + std::to_string((*server)->port());
    auto certificate = remote::loadOrCreateServerCertificate(serverOptions.stateDir);
    if (!certificate) return certificate.error();
    remoteOptions.certificatePem = certificate->certificatePem;
    auto connect = [&](const std::string& name, std::shared_ptr<Counter> counter) -> Result<std::unique_ptr<remote::RemoteEngine>> {
        auto token = clients.add(name);
        if (!token) return token.error();
        auto o = remoteOptions;
        o.token = *token;
        return remote::RemoteEngine::connect(o, std::move(counter));
    };
    auto firstCounter = std::make_shared<Counter>(), secondCounter = std::make_shared<Counter>();
    auto first = connect("bench-1", firstCounter);
    if (!first) return first.error();
    auto second = connect("bench-2", secondCounter);
    if (!second) return second.error();

    ServeBenchReport report;
    report.configuration = "cpu float32, random weights, d=" + std::to_string(manifest.fusionDim) + ", LLM " +
                           std::to_string(manifest.llm.numHiddenLayers) + " layers, " + std::to_string(threads) + " threads, " +
                           std::to_string(options.utterances) +
                           " utterances per dialogue with features; server and clients in this process";
    const auto dialogue = bench::syntheticDialogue(manifest, options.utterances, 1);
    std::vector<double> localMs, remoteMs, roundTrips;
    for (int run = 0; run <= options.repeats; ++run) {  // run 0 warms both up
        auto l = timeDialogue(local, *localCounter, dialogue);
        if (!l) return l.error();
        auto r = timeDialogue(**first, *firstCounter, dialogue);
        if (!r) return r.error();
        auto health = (*first)->health();
        if (!health) return health.error();
        if (run == 0) continue;
        localMs.push_back(*l);
        remoteMs.push_back(*r);
        roundTrips.push_back(health->roundTripMs);
    }
    report.localMsPerUtterance = bench::median(localMs);
    report.remoteMsPerUtterance = bench::median(remoteMs);
    report.roundTripMs = bench::median(roundTrips);
    auto one = throughput({{first->get(), firstCounter.get()}}, dialogue, 2 * options.dialoguesPerClient);
    if (!one) return one.error();
    auto two = throughput({{first->get(), firstCounter.get()}, {second->get(), secondCounter.get()}}, dialogue, options.dialoguesPerClient);
    if (!two) return two.error();
    report.oneClientDialoguesPerSecond = *one;
    report.twoClientsDialoguesPerSecond = *two;
    return report;
}

}  // namespace egmf
