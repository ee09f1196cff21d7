#include "egmf/engine.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>

namespace egmf {
namespace {

struct QueuedJob {
    JobId id = 0;
    EngineJob job;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

std::int64_t estimateLoadedBytes(const Manifest& m, const std::string& dtype) {
    const auto& l = m.llm;
    const std::int64_t head = l.effectiveHeadDim();
    const std::int64_t attention = l.hiddenSize * head * (l.numAttentionHeads * 2 + l.numKeyValueHeads * 2);
    const std::int64_t mlp = 3 * l.hiddenSize * l.intermediateSize;
    const std::int64_t embeddings = l.vocabSize * l.hiddenSize * (l.tieWordEmbeddings ? 1 : 2);
    const std::int64_t fusion = 64 * m.fusionDim * m.fusionDim;  // encoders, attention, experts, gates: generous
    const std::int64_t parameters = embeddings + l.numHiddenLayers * (attention + mlp) + fusion;
    const std::int64_t bytesPerValue = dtype == "float32" ? 4 : 2;
    // Weights once in memory, plus working memory (activations, KV cache, the loader's copy).
    return parameters * bytesPerValue * 3 / 2 + (256LL << 20);
}

struct Engine::State {
    std::shared_ptr<EngineObserver> observer;
    std::shared_ptr<Analyzer> analyzer;
    std::mutex mutex;                 // queue, running job, analyzer, threads
    std::condition_variable wake, idle;
    std::deque<QueuedJob> queue;
    std::optional<QueuedJob> running;
    std::recursive_mutex events;      // held while an event is delivered; taken before `mutex`
    JobId nextId = 1;
    int threads = 0;
    bool stopping = false;
    std::thread worker;

    /// Delivers an event unless the job was cancelled: checked under `events`, which cancel() also
    /// takes, so once cancel() returns no event of that job can start.
    template <typename Deliver>
    void emit(const QueuedJob& job, Deliver deliver) {
        std::lock_guard lock(events);
        if (!job.cancelled->load()) deliver();
    }

    void run(QueuedJob& job) {
        std::shared_ptr<Analyzer> current;
        int threadCount = 0;
        {
            std::lock_guard lock(mutex);
            current = analyzer;
            threadCount = threads;
        }
        if (threadCount > 0) at::set_num_threads(threadCount);  // per thread: applied here, on the inference thread
        if (!current) {
            emit(job, [&] { observer->onError(job.id, makeError(ErrorCode::InvalidArgument, "no checkpoint is loaded; load one first")); });
            return;
        }
        auto options = job.job.options;
        options.progress = [&](int done, int total) { emit(job, [&] { observer->onProgress(job.id, done, total); }); };
        try {
            auto result = current->analyzeDialogue(job.job.dialogue, options, *job.cancelled);
            if (!result.ok()) {
                if (result.error().code != ErrorCode::Cancelled) emit(job, [&] { observer->onError(job.id, result.error()); });
                return;
            }
            if (job.job.kind == EngineJob::Kind::Utterance) {
                const auto index = job.job.utteranceIndex;
                if (index < 0 || index >= static_cast<int>(result->utterances.size())) {
                    emit(job, [&] { observer->onError(job.id, makeError(ErrorCode::InvalidArgument, job.job.dialogue.id +
                                                                        ": no utterance " + std::to_string(index))); });
                    return;
                }
                auto one = std::move(result->utterances[index]);
                result->utterances.clear();
                result->utterances.push_back(std::move(one));
            }
            emit(job, [&] { observer->onResult(job.id, *result); });
        } catch (const std::exception& e) {
            emit(job, [&] {
                observer->onError(job.id, makeError(ErrorCode::Internal, job.job.dialogue.id + ": the analysis failed (" +
                                                                             std::string(e.what()) + "); the engine carries on"));
            });
        }
    }

    void loop() {
        while (true) {
            {
                std::unique_lock lock(mutex);
                running.reset();
                if (queue.empty()) idle.notify_all();
                wake.wait(lock, [&] { return stopping || !queue.empty(); });
                if (stopping) return;
                running = std::move(queue.front());
                queue.pop_front();
            }
            run(*running);
        }
    }
};

Engine::Engine(std::shared_ptr<EngineObserver> observer) : m_state(std::make_unique<State>()) {
    m_state->observer = observer ? std::move(observer) : std::make_shared<EngineObserver>();
    m_state->worker = std::thread([state = m_state.get()] { state->loop(); });
}

Engine::~Engine() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
        for (auto& job : m_state->queue) job.cancelled->store(true);
        if (m_state->running) m_state->running->cancelled->store(true);
    }
    m_state->wake.notify_all();
    m_state->worker.join();
}

void Engine::load(std::shared_ptr<Analyzer> analyzer) {
    std::lock_guard lock(m_state->mutex);
    m_state->analyzer = std::move(analyzer);
}

Result<void> Engine::loadCheckpoint(const std::filesystem::path& folder, const LoadOptions& requested) {
    auto options = requested;
    if (options.device == "auto") options.device = at::hasCUDA() ? "cuda" : "cpu";
    auto manifest = readManifest(folder);
    if (!manifest.ok()) return manifest.error();
    const auto needed = estimateLoadedBytes(*manifest, options.dtype);
    const auto ram = static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGE_SIZE);
    if (options.device == "cpu" && needed > ram / 10 * 8) {
        return makeError(ErrorCode::Unsupported, folder.string() + ": this checkpoint needs about " +
                                                     std::to_string(needed >> 30) + " GiB, more than 80% of this machine's " +
                                                     std::to_string(ram >> 30) + " GiB; use a GPU, --dtype bfloat16 or a smaller model");
    }
    auto analyzer = loadNativeCheckpoint(folder, options);
    if (!analyzer.ok()) return analyzer.error();
    load(std::shared_ptr<Analyzer>(std::move(*analyzer)));
    return {};
}

JobId Engine::submit(EngineJob job) {
    // Lock order everywhere: events, then mutex (an observer may submit from inside an event).
    std::lock_guard events(m_state->events);
    std::lock_guard lock(m_state->mutex);
    const JobId id = m_state->nextId++;
    if (!job.view.empty()) {
        // Supersession: older jobs for this view are cancelled, queued or running.
        for (auto it = m_state->queue.begin(); it != m_state->queue.end();) {
            if (it->job.view == job.view) {
                it->cancelled->store(true);
                it = m_state->queue.erase(it);
            } else {
                ++it;
            }
        }
        if (m_state->running && m_state->running->job.view == job.view) m_state->running->cancelled->store(true);
    }
    m_state->queue.push_back(QueuedJob{id, std::move(job)});
    m_state->wake.notify_all();
    return id;
}

bool Engine::cancel(JobId id) {
    std::lock_guard events(m_state->events);  // waits for an event of this job in delivery
    std::lock_guard lock(m_state->mutex);
    for (auto it = m_state->queue.begin(); it != m_state->queue.end(); ++it) {
        if (it->id == id) {
            it->cancelled->store(true);
            m_state->queue.erase(it);
            return true;
        }
    }
    if (m_state->running && m_state->running->id == id) {
        m_state->running->cancelled->store(true);
        return true;
    }
    return false;
}

void Engine::setThreads(int threads) {
    std::lock_guard lock(m_state->mutex);
    m_state->threads = threads;
}

void Engine::waitIdle() {
    std::unique_lock lock(m_state->mutex);
    m_state->idle.wait(lock, [&] { return m_state->queue.empty() && !m_state->running; });
}

}  // namespace egmf
