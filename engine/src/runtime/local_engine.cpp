#include "egmf/local_engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <ATen/Parallel.h>

namespace egmf {
namespace {

struct QueuedJob {
    JobId id = 0;
    EngineJob job;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

/// The inference thread yields to the interactive ones (the Studio's UI thread, the decoders, the
/// sound server) when they compete for cores: at nice +10 a busy UI thread gets ~90% of a shared
/// core, and on an idle core nothing changes. Linux keeps nice per thread, and the OpenMP threads
/// the inference thread starts inherit it. Failing to lower it is harmless, so it is not checked.
void yieldToInteractiveThreads() {
#ifdef __linux__
    const auto self = static_cast<id_t>(syscall(SYS_gettid));
    // Never raise it: a Studio started with `nice -n 15` keeps its own engine thread at 15.
    (void)setpriority(PRIO_PROCESS, self, std::max(getpriority(PRIO_PROCESS, self), kInferenceNice));
#endif
}

}  // namespace

/// A load on the loader thread.
struct RunningLoad {
    JobId id = 0;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);
    std::thread thread;
};

struct LocalEngine::State {
    std::shared_ptr<EngineObserver> observer;
    CheckpointOpener opener;
    std::shared_ptr<Analyzer> analyzer;
    std::optional<ModelInfo> model;
    std::shared_ptr<FeatureSource> features;
    mutable std::mutex mutex;  // queue, running job, loads, analyzer, model, feature source, threads
    std::condition_variable wake, idle;
    std::deque<QueuedJob> queue;
    std::optional<QueuedJob> running;
    std::recursive_mutex events;  // held while an event is delivered; taken before `mutex`
    JobId nextId = 1;
    int threads = 0;
    bool stopping = false;
    std::thread worker;
    std::vector<RunningLoad> loads;  // the newest last; finished ones are joined by the next load

    /// As emit, for a load.
    template <typename Deliver>
    void emitLoad(const std::atomic<bool>& cancelled, Deliver deliver) {
        std::lock_guard lock(events);
        if (!cancelled.load()) deliver();
    }

    void adopt(std::shared_ptr<Analyzer> next, ModelInfo info) {
        std::lock_guard lock(mutex);
        analyzer = std::move(next);
        model = std::move(info);
    }

    bool loading() const {
        return std::any_of(loads.begin(), loads.end(), [](const RunningLoad& l) { return !l.finished->load(); });
    }

    /// Delivers an event unless the job was cancelled: checked under `events`, which cancel() also
    /// takes, so once cancel() returns no event of that job can start.
    template <typename Deliver>
    void emit(const QueuedJob& job, Deliver deliver) {
        std::lock_guard lock(events);
        if (!job.cancelled->load()) deliver();
    }

    void run(QueuedJob& job) {
        std::shared_ptr<Analyzer> current;
        std::shared_ptr<FeatureSource> source;
        int threadCount = 0;
        {
            std::lock_guard lock(mutex);
            current = analyzer;
            source = features;
            threadCount = threads;
        }
        if (threadCount > 0) {
            at::set_num_threads(threadCount);  // per thread: applied here, on the inference thread
            if (source) source->setThreads(threadCount);
        }
        if (!current) {
            emit(job, [&] { observer->onError(job.id, makeError(ErrorCode::InvalidArgument, "no checkpoint is loaded; load one first")); });
            return;
        }
        try {
            Dialogue dialogue = job.job.dialogue;
            auto clips = fillFeatures(job, dialogue, current->manifest(), source.get());
            if (job.cancelled->load()) return;
            const int extracted = static_cast<int>(clips.size());
            auto options = job.job.options;
            options.progress = [&](int done, int total) {
                emit(job, [&] { observer->onProgress(job.id, extracted + done, extracted + total); });
            };
            auto result = current->analyzeDialogue(dialogue, options, *job.cancelled);
            if (!result.ok()) {
                if (result.error().code != ErrorCode::Cancelled) emit(job, [&] { observer->onError(job.id, result.error()); });
                return;
            }
            for (auto& utterance : result->utterances) {
                const auto clip = clips.find(utterance.utteranceId);
                if (clip == clips.end()) continue;
                utterance.timings.featuresMs = clip->second.ms;
                for (const auto& warning : clip->second.warnings) utterance.warnings.push_back(clip->second.clip + ": " + warning);
                if (clip->second.error.empty()) continue;
                const auto note = clip->second.error + " (analysed from its text only)";
                utterance.error = utterance.error.empty() ? note : note + "; " + utterance.error;
            }
            if (job.job.kind == EngineJob::Kind::Utterance) {
                const auto index = job.job.utteranceIndex;
                if (index < 0 || index >= static_cast<int>(result->utterances.size())) {
                    emit(job, [&] {
                        observer->onError(
                            job.id, makeError(ErrorCode::InvalidArgument, job.job.dialogue.id + ": no utterance " + std::to_string(index)));
                    });
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

    struct ClipOutcome {
        std::string error;  ///< empty: the features are there
        std::string clip;
        std::vector<std::string> warnings;
        double ms = 0;
    };

    /// Features for every utterance that has a clip and none yet; returns, per such utterance id,
    /// how its clip went. Stops early when the job is cancelled.
    std::map<std::string, ClipOutcome> fillFeatures(const QueuedJob& job, Dialogue& dialogue, const Manifest& manifest,
                                                    FeatureSource* source) {
        if (!manifest.modalities.hasClipInput()) return {};  // a text-only model: clips are not read at all
        std::vector<Utterance*> pending;
        for (auto& utterance : dialogue.utterances) {
            if (!utterance.clipPath.empty() && utterance.audio.empty() && utterance.visual.empty()) pending.push_back(&utterance);
        }
        std::map<std::string, ClipOutcome> outcomes;
        const int total = static_cast<int>(pending.size() + dialogue.utterances.size());
        for (std::size_t i = 0; i < pending.size() && !job.cancelled->load(); ++i) {
            const auto start = std::chrono::steady_clock::now();
            auto& outcome = outcomes[pending[i]->id];
            outcome.clip = pending[i]->clipPath;
            auto& error = outcome.error;
            if (!source) {
                error = pending[i]->clipPath + ": this build cannot decode clips (it has no FFmpeg); use the full build";
            } else {
                try {
                    auto filled = source->fill(*pending[i], manifest);
                    if (!filled.ok())
                        error = filled.error().message;
                    else
                        outcome.warnings = std::move(*filled);
                } catch (const std::exception& e) {
                    error = pending[i]->clipPath + ": decoding failed (" + e.what() + "); check the file with `egmf dataset check --clips`";
                }
            }
            if (!error.empty()) pending[i]->audio = {}, pending[i]->visual = {};
            outcomes[pending[i]->id].ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            emit(job, [&] { observer->onProgress(job.id, static_cast<int>(i + 1), total); });
        }
        return outcomes;
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

LocalEngine::LocalEngine(std::shared_ptr<EngineObserver> observer, CheckpointOpener opener) : m_state(std::make_unique<State>()) {
    m_state->observer = observer ? std::move(observer) : std::make_shared<EngineObserver>();
    m_state->opener = std::move(opener);
    m_state->worker = std::thread([state = m_state.get()] {
        yieldToInteractiveThreads();
        state->loop();
    });
}

LocalEngine::~LocalEngine() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
        for (auto& job : m_state->queue) job.cancelled->store(true);
        if (m_state->running) m_state->running->cancelled->store(true);
        for (auto& load : m_state->loads) load.cancelled->store(true);
    }
    m_state->wake.notify_all();
    m_state->worker.join();
    for (auto& load : m_state->loads) load.thread.join();
}

JobId LocalEngine::load(const std::filesystem::path& checkpoint, const LoadOptions& options) {
    JobId id = 0;
    {
        std::lock_guard events(m_state->events);  // no event of a superseded load starts after this
        std::lock_guard lock(m_state->mutex);
        id = m_state->nextId++;
        for (auto& previous : m_state->loads) previous.cancelled->store(true);
        std::erase_if(m_state->loads, [](RunningLoad& l) {
            if (!l.finished->load()) return false;
            l.thread.join();
            return true;
        });
    }
    // Choosing the loader and checking the fit read no weights: done here, so such errors come at once.
    auto prepared = m_state->opener ? m_state->opener(checkpoint, options)
                                    : Result<PreparedLoad>(makeError(ErrorCode::Unsupported, "this engine loads no checkpoints"));
    if (!prepared) {
        std::lock_guard events(m_state->events);
        m_state->observer->onError(id, prepared.error());
        return id;
    }
    std::lock_guard lock(m_state->mutex);
    RunningLoad load;
    load.id = id;
    load.thread = std::thread(
        [state = m_state.get(), id, prepared = std::move(*prepared), cancelled = load.cancelled, finished = load.finished]() mutable {
            LoadControl control;
            control.cancel = cancelled.get();
            control.progress = [&](double f) { state->emitLoad(*cancelled, [&] { state->observer->onLoadProgress(id, f); }); };
            auto analyzer = prepared.run(control);
            {
                // Taking the model and telling of it is one step under `events`, which cancel()
                // takes too: a load is either cancelled before it takes over, or it has taken over
                // and said so, and cancel() then finds it finished.
                std::lock_guard events(state->events);
                if (!cancelled->load()) {
                    if (analyzer) {
                        prepared.model.device = (*analyzer)->device();
                        state->adopt(std::shared_ptr<Analyzer>(std::move(*analyzer)), prepared.model);
                        state->observer->onModelLoaded(id, prepared.model);
                    } else if (analyzer.error().code != ErrorCode::Cancelled) {
                        state->observer->onError(id, analyzer.error());
                    }
                }
                finished->store(true);
            }
            std::lock_guard lock(state->mutex);
            state->idle.notify_all();
        });
    m_state->loads.push_back(std::move(load));
    return id;
}

Result<ModelInfo> LocalEngine::loadAndWait(const std::filesystem::path& checkpoint, const LoadOptions& options,
                                           const std::function<void(double)>& progress) {
    if (!m_state->opener) return makeError(ErrorCode::Unsupported, "this engine loads no checkpoints");
    auto prepared = m_state->opener(checkpoint, options);
    if (!prepared) return prepared.error();
    auto analyzer = prepared->run(LoadControl{progress, nullptr});
    if (!analyzer) return analyzer.error();
    prepared->model.device = (*analyzer)->device();
    m_state->adopt(std::shared_ptr<Analyzer>(std::move(*analyzer)), prepared->model);
    return prepared->model;
}

void LocalEngine::use(std::shared_ptr<Analyzer> analyzer, const std::string& checkpoint) {
    ModelInfo info;
    if (analyzer) info = ModelInfo{analyzer->manifest(), checkpoint, "", analyzer->device(), ""};
    m_state->adopt(std::move(analyzer), std::move(info));
}

std::optional<ModelInfo> LocalEngine::model() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->analyzer ? m_state->model : std::nullopt;
}

std::shared_ptr<Analyzer> LocalEngine::analyzer() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->analyzer;
}

void LocalEngine::setFeatureSource(std::shared_ptr<FeatureSource> source) {
    std::lock_guard lock(m_state->mutex);
    m_state->features = std::move(source);
}

JobId LocalEngine::submit(EngineJob job) {
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

bool LocalEngine::cancel(JobId id) {
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
    for (auto& load : m_state->loads) {
        if (load.id == id && !load.finished->load()) {
            load.cancelled->store(true);
            return true;
        }
    }
    return false;
}

void LocalEngine::setThreads(int threads) {
    std::lock_guard lock(m_state->mutex);
    m_state->threads = threads;
}

void LocalEngine::waitIdle() {
    std::unique_lock lock(m_state->mutex);
    m_state->idle.wait(lock, [&] { return m_state->queue.empty() && !m_state->running && !m_state->loading(); });
}

}  // namespace egmf
