#pragma once
// JobBoard: the server's side of the Engine contract for many clients sharing one engine. Each
// client's jobs wait in its own queue; one job at a time goes to the engine, taken from the
// clients in turn (round robin), so a client with a thousand dialogues queued delays another's
// next one by at most one job. Supersession and cancel work per client, as in-process.
//
// Threads: gRPC handlers enqueue, cancel and read their streams; the engine's threads deliver
// events; one dispatcher thread alone calls the engine's submit and cancel. No lock is held while
// the engine is called (its events take the board's lock, and the engine holds its own while it
// delivers them), so an event that arrives before the dispatcher learns its job's id waits in
// `m_early` until it does.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "egmf/engine.h"
#include "egmf_engine.pb.h"

namespace egmf::remote {

/// Events in order, from the board's threads to one handler thread.
template <typename Event>
class EventQueue {
public:
    /// The next event, waiting up to `wait`; nullopt when none came.
    std::optional<Event> next(std::chrono::milliseconds wait) {
        std::unique_lock lock(m_mutex);
        m_ready.wait_for(lock, wait, [&] { return !m_events.empty(); });
        if (m_events.empty()) return std::nullopt;
        auto event = std::move(m_events.front());
        m_events.pop_front();
        return event;
    }

protected:
    void push(Event event, int closing = 0) {
        {
            std::lock_guard lock(m_mutex);
            m_events.push_back(std::move(event));
            m_open -= closing;
        }
        m_ready.notify_all();
    }
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<Event> m_events;
    int m_open = 0;  ///< jobs not finished, failed or cancelled (Analyze streams)
};

/// One Analyze call's events; finished() once every job of it has its last event read.
class EventStream : public EventQueue<v1::AnalyzeEvent> {
public:
    bool finished() {
        std::lock_guard lock(m_mutex);
        return m_open == 0 && m_events.empty();
    }

private:
    friend class JobBoard;
};

/// One Load call's events.
class LoadStream : public EventQueue<v1::LoadEvent> {
private:
    friend class JobBoard;
};

class JobBoard final : public EngineObserver {
public:
    JobBoard() = default;
    ~JobBoard() override;
    /// Starts dispatching to `engine` (which delivers its events to this board).
    void start(Engine* engine);
    /// Stops the dispatcher (before the engine is destroyed).
    void stop();

    struct Submitted {
        std::uint64_t clientJobId = 0;
        EngineJob job;
    };
    /// Queues a client's jobs; their events go to the stream returned. A job naming a view
    /// supersedes the client's older jobs for that view.
    std::shared_ptr<EventStream> enqueue(const std::string& client, std::vector<Submitted> jobs);
    /// A job that failed before it could be queued (its clip was refused): its error, in order.
    void fail(const std::shared_ptr<EventStream>& stream, std::uint64_t clientJobId, const Error& error);
    /// Cancels these jobs of this client; returns those that were queued or running.
    std::vector<std::uint64_t> cancel(const std::string& client, const std::vector<std::uint64_t>& ids);
    /// The stream's client went away: its jobs are dropped.
    void abandon(const std::shared_ptr<EventStream>& stream);
    /// Starts a load for every client; one still running is superseded (its caller is told by whom).
    std::shared_ptr<LoadStream> load(const std::string& client, const std::filesystem::path& checkpoint, const LoadOptions& options);
    int queued() const;

    // EngineObserver (the engine's threads)
    void onProgress(JobId id, int done, int total) override;
    void onResult(JobId id, const DialogueResult& result) override;
    void onError(JobId id, const Error& error) override;
    void onLoadProgress(JobId id, double fraction) override;
    void onModelLoaded(JobId id, const ModelInfo& model) override;

private:
    struct Job {
        std::string client;
        std::uint64_t clientJobId = 0;
        EngineJob job;
        std::shared_ptr<EventStream> stream;
        JobId engineId = 0;  ///< 0 until the engine has it
        bool cancelled = false;
    };
    void dispatch();
    std::shared_ptr<Job> takeNextLocked();
    /// Marks a job cancelled; its stream gets "cancelled" unless it was abandoned.
    void cancelLocked(const std::shared_ptr<Job>& job, bool tell);
    /// Whether the engine's `id` is known: the running job's or the load's. While either is being
    /// handed to the engine (its id not known yet), an unknown id's event is kept (`replay`, run
    /// once the id is known).
    bool knownLocked(JobId id, const std::function<void()>& replay);
    bool runningIs(JobId id) const { return m_running && m_running->engineId == id; }
    bool loadIs(JobId id) const { return m_load && m_loadId == id; }
    void progressLocked(JobId id, int done, int total);
    void resultLocked(JobId id, const DialogueResult& result);
    void errorLocked(JobId id, const Error& error);
    void loadProgressLocked(JobId id, double fraction);
    void loadedLocked(JobId id, const ModelInfo& model);
    /// Runs the events kept for `id`, now that its owner knows it.
    void replayLocked(JobId id);
    void finishRunningLocked(v1::AnalyzeEvent event);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    Engine* m_engine = nullptr;
    std::thread m_dispatcher;
    bool m_stopping = false;
    std::map<std::string, std::deque<std::shared_ptr<Job>>> m_queues;
    std::string m_lastClient;  ///< round robin: the next job comes from the client after this one
    std::shared_ptr<Job> m_running;
    bool m_cancelSent = false;
    std::shared_ptr<LoadStream> m_load;
    JobId m_loadId = 0;
    std::map<JobId, std::vector<std::function<void()>>> m_early;
    std::set<JobId> m_supersededLoads;  ///< their late events are dropped, not kept
};

}  // namespace egmf::remote
