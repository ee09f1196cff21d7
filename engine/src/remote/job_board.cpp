#include "job_board.h"

#include "wire.h"

namespace egmf::remote {

JobBoard::~JobBoard() {
    stop();
}

void JobBoard::start(Engine* engine) {
    m_engine = engine;
    m_dispatcher = std::thread([this] { dispatch(); });
}

void JobBoard::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_dispatcher.joinable()) m_dispatcher.join();
}

std::shared_ptr<EventStream> JobBoard::enqueue(const std::string& client, std::vector<Submitted> jobs) {
    auto stream = std::make_shared<EventStream>();
    {
        std::lock_guard lock(m_mutex);
        {
            std::lock_guard streamLock(stream->m_mutex);
            stream->m_open += static_cast<int>(jobs.size());
        }
        auto& queue = m_queues[client];
        for (auto& submitted : jobs) {
            if (!submitted.job.view.empty()) {
                // A newer job for the same view supersedes this client's older ones.
                std::erase_if(queue, [&](const std::shared_ptr<Job>& old) {
                    if (old->job.view != submitted.job.view) return false;
                    cancelLocked(old, true);
                    return true;
                });
                if (m_running && m_running->client == client && m_running->job.view == submitted.job.view && !m_running->cancelled)
                    cancelLocked(m_running, true);
            }
            auto job = std::make_shared<Job>();
            job->client = client;
            job->clientJobId = submitted.clientJobId;
            job->job = std::move(submitted.job);
            job->stream = stream;
            queue.push_back(std::move(job));
        }
    }
    m_wake.notify_all();
    return stream;
}

void JobBoard::fail(const std::shared_ptr<EventStream>& stream, std::uint64_t clientJobId, const Error& error) {
    v1::AnalyzeEvent event;
    event.set_client_job_id(clientJobId);
    toWire(error, *event.mutable_error());
    std::lock_guard lock(m_mutex);
    {
        std::lock_guard streamLock(stream->m_mutex);
        ++stream->m_open;
    }
    stream->push(std::move(event), 1);
}

void JobBoard::cancelLocked(const std::shared_ptr<Job>& job, bool tell) {
    if (job->cancelled) return;
    job->cancelled = true;
    if (tell) {
        v1::AnalyzeEvent event;
        event.set_client_job_id(job->clientJobId);
        event.set_cancelled(true);
        job->stream->push(std::move(event), 1);
    }
    if (job == m_running) m_wake.notify_all();  // the dispatcher cancels it in the engine
}

std::vector<std::uint64_t> JobBoard::cancel(const std::string& client, const std::vector<std::uint64_t>& ids) {
    std::vector<std::uint64_t> found;
    std::lock_guard lock(m_mutex);
    for (const auto id : ids) {
        auto& queue = m_queues[client];
        const auto erased = std::erase_if(queue, [&](const std::shared_ptr<Job>& job) {
            if (job->clientJobId != id) return false;
            cancelLocked(job, true);
            return true;
        });
        if (erased > 0) {
            found.push_back(id);
        } else if (m_running && m_running->client == client && m_running->clientJobId == id && !m_running->cancelled) {
            cancelLocked(m_running, true);
            found.push_back(id);
        }
    }
    return found;
}

void JobBoard::abandon(const std::shared_ptr<EventStream>& stream) {
    std::lock_guard lock(m_mutex);
    for (auto& [client, queue] : m_queues) {
        std::erase_if(queue, [&](const std::shared_ptr<Job>& job) {
            if (job->stream != stream) return false;
            cancelLocked(job, false);
            return true;
        });
    }
    if (m_running && m_running->stream == stream) cancelLocked(m_running, false);
}

std::shared_ptr<LoadStream> JobBoard::load(const std::string& client, const std::filesystem::path& checkpoint, const LoadOptions& options) {
    auto stream = std::make_shared<LoadStream>();
    {
        std::lock_guard lock(m_mutex);
        if (m_load) {
            v1::LoadEvent superseded;
            toWire(makeError(ErrorCode::Cancelled, "a newer load (" + client + ": " + checkpoint.string() + ") superseded this one"),
                   *superseded.mutable_error());
            m_load->push(std::move(superseded));
            if (m_loadId != 0) m_supersededLoads.insert(m_loadId);
        }
        m_load = stream;
        m_loadId = 0;
    }
    const JobId id = m_engine->load(checkpoint, options);
    std::lock_guard lock(m_mutex);
    if (m_load == stream) {  // not finished (an opener error arrives before load() returns)
        m_loadId = id;
        replayLocked(id);
    }
    // Whatever was kept meanwhile and is not this load's or the running job's belonged to a
    // superseded load.
    std::erase_if(m_early, [&](const auto& kept) { return kept.first != id && !(m_running && m_running->engineId == 0); });
    return stream;
}

int JobBoard::queued() const {
    std::lock_guard lock(m_mutex);
    int n = m_running ? 1 : 0;
    for (const auto& [client, queue] : m_queues) n += static_cast<int>(queue.size());
    return n;
}

std::shared_ptr<JobBoard::Job> JobBoard::takeNextLocked() {
    // The first client after the last served one (in name order) that has a job waiting.
    auto from = m_queues.upper_bound(m_lastClient);
    for (int pass = 0; pass < 2; ++pass, from = m_queues.begin()) {
        for (auto it = from; it != m_queues.end(); ++it) {
            if (it->second.empty()) continue;
            auto job = std::move(it->second.front());
            it->second.pop_front();
            m_lastClient = it->first;
            return job;
        }
    }
    return nullptr;
}

void JobBoard::dispatch() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [&] {
            if (m_stopping) return true;
            if (m_running) return m_running->cancelled && !m_cancelSent && m_running->engineId != 0;
            for (const auto& [client, queue] : m_queues)
                if (!queue.empty()) return true;
            return false;
        });
        if (m_stopping) return;
        if (m_running) {
            // Cancelled while running: once the engine's cancel returns nothing more comes of it.
            m_cancelSent = true;
            const JobId id = m_running->engineId;
            lock.unlock();
            m_engine->cancel(id);
            lock.lock();
            m_running.reset();
            m_cancelSent = false;
            continue;
        }
        auto job = takeNextLocked();
        if (!job) continue;
        m_running = job;
        auto engineJob = job->job;
        lock.unlock();
        const JobId id = m_engine->submit(std::move(engineJob));
        lock.lock();
        if (m_running == job) {
            job->engineId = id;
            replayLocked(id);
        }
    }
}

void JobBoard::replayLocked(JobId id) {
    const auto kept = m_early.find(id);
    if (kept == m_early.end()) return;
    auto events = std::move(kept->second);
    m_early.erase(kept);
    for (const auto& event : events) event();
}

bool JobBoard::knownLocked(JobId id, const std::function<void()>& replay) {
    if (runningIs(id) || loadIs(id)) return true;
    if (m_supersededLoads.count(id)) return false;
    if ((m_running && m_running->engineId == 0) || (m_load && m_loadId == 0)) m_early[id].push_back(replay);
    return false;
}

void JobBoard::finishRunningLocked(v1::AnalyzeEvent event) {
    auto job = std::move(m_running);
    if (!job->cancelled) job->stream->push(std::move(event), 1);
    m_wake.notify_all();
}

void JobBoard::progressLocked(JobId id, int done, int total) {
    if (!knownLocked(id, [=, this] { progressLocked(id, done, total); }) || !runningIs(id) || m_running->cancelled) return;
    v1::AnalyzeEvent event;
    event.set_client_job_id(m_running->clientJobId);
    event.mutable_progress()->set_done(done);
    event.mutable_progress()->set_total(total);
    m_running->stream->push(std::move(event));
}

void JobBoard::resultLocked(JobId id, const DialogueResult& result) {
    if (!knownLocked(id, [=, this] { resultLocked(id, result); }) || !runningIs(id) || m_cancelSent) return;
    v1::AnalyzeEvent event;
    event.set_client_job_id(m_running->clientJobId);
    if (!m_running->cancelled) toWire(result, *event.mutable_result());
    finishRunningLocked(std::move(event));
}

void JobBoard::errorLocked(JobId id, const Error& error) {
    if (!knownLocked(id, [=, this] { errorLocked(id, error); })) return;
    if (loadIs(id)) {
        v1::LoadEvent event;
        toWire(error, *event.mutable_error());
        m_load->push(std::move(event));
        m_load.reset();
        m_loadId = 0;
        return;
    }
    if (m_cancelSent) return;
    v1::AnalyzeEvent event;
    event.set_client_job_id(m_running->clientJobId);
    toWire(error, *event.mutable_error());
    finishRunningLocked(std::move(event));
}

void JobBoard::loadProgressLocked(JobId id, double fraction) {
    if (!knownLocked(id, [=, this] { loadProgressLocked(id, fraction); }) || !loadIs(id)) return;
    v1::LoadEvent event;
    event.set_progress(fraction);
    m_load->push(std::move(event));
}

void JobBoard::loadedLocked(JobId id, const ModelInfo& model) {
    if (!knownLocked(id, [=, this] { loadedLocked(id, model); }) || !loadIs(id)) return;
    v1::LoadEvent event;
    toWire(model, *event.mutable_loaded());
    m_load->push(std::move(event));
    m_load.reset();
    m_loadId = 0;
}

void JobBoard::onProgress(JobId id, int done, int total) {
    std::lock_guard lock(m_mutex);
    progressLocked(id, done, total);
}

void JobBoard::onResult(JobId id, const DialogueResult& result) {
    std::lock_guard lock(m_mutex);
    resultLocked(id, result);
}

void JobBoard::onError(JobId id, const Error& error) {
    std::lock_guard lock(m_mutex);
    errorLocked(id, error);
}

void JobBoard::onLoadProgress(JobId id, double fraction) {
    std::lock_guard lock(m_mutex);
    loadProgressLocked(id, fraction);
}

void JobBoard::onModelLoaded(JobId id, const ModelInfo& model) {
    std::lock_guard lock(m_mutex);
    loadedLocked(id, model);
}

}  // namespace egmf::remote
