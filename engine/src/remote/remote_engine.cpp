#include "egmf/remote/remote_engine.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "egmf/app/sha256.h"
#include "egmf/remote/server_identity.h"
#include "egmf_engine.grpc.pb.h"
#include "wire.h"

namespace egmf::remote {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;
constexpr auto kMonitorPeriod = std::chrono::seconds(3);

/// What a failed call means to a user, with what to do.
Error callError(const grpc::Status& status, const RemoteOptions& options) {
    switch (status.error_code()) {
        case grpc::StatusCode::UNAUTHENTICATED:
            return makeError(ErrorCode::InvalidArgument, options.address + ": " + status.error_message());
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED: {
            const auto fingerprint = certificateFingerprint(options.certificatePem);
            return makeError(ErrorCode::Io, options.address + ": cannot reach the engine server over TLS (" + status.error_message() +
                                                "); check the address, that `egmf serve` runs there, and that the certificate given is "
                                                "that server's (its fingerprint: " +
                                                (fingerprint.ok() ? *fingerprint : std::string("not a certificate")) + ")");
        }
        case grpc::StatusCode::PERMISSION_DENIED:
        case grpc::StatusCode::INVALID_ARGUMENT:
            return makeError(ErrorCode::InvalidArgument, options.address + ": " + status.error_message());
        case grpc::StatusCode::CANCELLED:
            return makeError(ErrorCode::Cancelled, options.address + ": cancelled");
        default:
            return makeError(ErrorCode::Io, options.address + ": the engine server answered " + std::to_string(status.error_code()) + ": " +
                                                status.error_message());
    }
}

/// A connection lost or a server restarting (which cancels its calls): worth trying again. The
/// caller has checked that it did not cancel the call itself.
bool transient(const grpc::Status& status) {
    return status.error_code() == grpc::StatusCode::UNAVAILABLE || status.error_code() == grpc::StatusCode::CANCELLED ||
           status.error_code() == grpc::StatusCode::INTERNAL || status.error_code() == grpc::StatusCode::UNKNOWN ||
           status.error_code() == grpc::StatusCode::ABORTED;
}

}  // namespace

struct RemoteEngine::State {
    RemoteOptions options;
    std::shared_ptr<EngineObserver> observer;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::EngineService::Stub> stub;

    std::recursive_mutex events;  ///< held while an event is delivered; taken before `mutex`
    mutable std::mutex mutex;
    std::condition_variable wake, idle;
    std::deque<std::pair<JobId, EngineJob>> queue;
    JobId nextId = 1;
    JobId running = 0;
    std::string runningView;
    bool runningCancelled = false;
    grpc::ClientContext* call = nullptr;  ///< the running job's call, to cancel it
    bool stopping = false;
    std::optional<ModelInfo> model;
    std::thread worker;
    std::thread monitor;  ///< health every kMonitorPeriod
    std::optional<double> roundTrip;
    std::shared_ptr<grpc::ClientContext> healthCall;  ///< the monitor's call in flight, to cancel it

    struct Load {
        JobId id = 0;
        std::shared_ptr<grpc::ClientContext> call;
        std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
        std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);
        std::thread thread;
    };
    std::vector<Load> loads;

    std::unique_ptr<grpc::ClientContext> newCall() const {
        auto context = std::make_unique<grpc::ClientContext>();
        if (!options.token.empty()) context->AddMetadata("authorization", "Bearer " + options.token);
        return context;
    }

    void work();
    /// One job to its end: its result or error delivered, or it was cancelled.
    void runJob(JobId id, const EngineJob& job);
    /// Clips the server cannot read are uploaded (once per content) and named by their hash in
    /// `dialogue`; the error names a clip that can be neither read there nor sent.
    Result<void> sendClips(Dialogue& dialogue);
    Result<std::string> upload(const std::string& path, const std::string& sha256);
    std::map<std::string, std::string> uploaded;  ///< clip path -> "sha256:<hex>" on this server (worker thread only)
    /// Delivers an event of the running job unless it was cancelled (checked under `events`).
    template <typename F>
    void emit(F&& deliver) {
        std::lock_guard lock(events);
        {
            std::lock_guard state(mutex);
            if (runningCancelled) return;
        }
        deliver();
    }
    /// Waits `delay` unless the running job is cancelled or the engine stops; false then.
    bool pause(std::chrono::milliseconds delay) {
        std::unique_lock lock(mutex);
        return !wake.wait_for(lock, delay, [&] { return stopping || runningCancelled; });
    }
};

Result<std::unique_ptr<RemoteEngine>> RemoteEngine::connect(const RemoteOptions& options, std::shared_ptr<EngineObserver> observer) {
    if (options.certificatePem.empty() || !certificateFingerprint(options.certificatePem).ok()) {
        return makeError(ErrorCode::InvalidArgument,
                         options.address + ": give the server's certificate (PEM; `egmf serve` prints where it is)");
    }
    auto state = std::make_unique<State>();
    state->options = options;
    state->observer = std::move(observer);
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = options.certificatePem;
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride(options.serverName);
    arguments.SetMaxReceiveMessageSize(kMaxMessageBytes);
    arguments.SetMaxSendMessageSize(kMaxMessageBytes);
    // Reconnect quickly after a server restart (gRPC's default backoff grows to two minutes).
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    state->channel = grpc::CreateCustomChannel(options.address, grpc::SslCredentials(tls), arguments);
    state->stub = v1::EngineService::NewStub(state->channel);
    std::unique_ptr<RemoteEngine> engine(new RemoteEngine(std::move(state)));
    auto health = engine->health();
    if (!health.ok()) return health.error();
    {
        std::lock_guard lock(engine->m_state->mutex);
        engine->m_state->roundTrip = health->roundTripMs;
    }
    // The model the server runs already (loaded by its operator or another client).
    auto call = engine->m_state->newCall();
    call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ModelReply reply;
    if (const auto status = engine->m_state->stub->GetModel(call.get(), {}, &reply); !status.ok()) return callError(status, options);
    if (reply.loaded()) {
        auto model = fromWire(reply.model());
        if (!model.ok()) return model.error();
        engine->m_state->model = std::move(*model);
    }
    return engine;
}

RemoteEngine::RemoteEngine(std::unique_ptr<State> state) : m_state(std::move(state)) {
    m_state->worker = std::thread([state = m_state.get()] { state->work(); });
    m_state->monitor = std::thread([this] {
        std::unique_lock lock(m_state->mutex);
        while (!m_state->wake.wait_for(lock, kMonitorPeriod, [&] { return m_state->stopping; })) {
            lock.unlock();
            auto health = this->health();
            lock.lock();
            m_state->roundTrip = health.ok() ? std::optional<double>(health->roundTripMs) : std::nullopt;
        }
    });
}

std::optional<double> RemoteEngine::roundTripMs() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->roundTrip;
}

RemoteEngine::~RemoteEngine() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
        m_state->queue.clear();
        m_state->runningCancelled = true;
        if (m_state->call) m_state->call->TryCancel();
        for (auto& load : m_state->loads) {
            load.cancelled->store(true);
            load.call->TryCancel();
        }
        if (m_state->healthCall) m_state->healthCall->TryCancel();
    }
    m_state->wake.notify_all();
    m_state->worker.join();
    m_state->monitor.join();
    for (auto& load : m_state->loads) load.thread.join();
}

const RemoteOptions& RemoteEngine::options() const {
    return m_state->options;
}

Result<ServerHealth> RemoteEngine::health() {
    std::shared_ptr<grpc::ClientContext> call = m_state->newCall();
    call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->stopping) return makeError(ErrorCode::Cancelled, "the engine is closing");
        m_state->healthCall = call;
    }
    v1::HealthReply reply;
    const auto started = std::chrono::steady_clock::now();
    const auto status = m_state->stub->Health(call.get(), {}, &reply);
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->healthCall == call) m_state->healthCall.reset();
    }
    if (!status.ok()) return callError(status, m_state->options);
    return ServerHealth{
        reply.version(),           reply.client_name(),
        reply.model_loaded(),      reply.queued_jobs(),
        reply.connected_clients(), std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()};
}

std::optional<ModelInfo> RemoteEngine::model() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->model;
}

JobId RemoteEngine::submit(EngineJob job) {
    JobId id = 0;
    {
        std::lock_guard events(m_state->events);
        std::lock_guard lock(m_state->mutex);
        id = m_state->nextId++;
        if (!job.view.empty()) {
            // A newer job for the same view supersedes the older ones, queued or running.
            std::erase_if(m_state->queue, [&](const auto& queued) { return queued.second.view == job.view; });
            if (m_state->running && m_state->runningView == job.view && !m_state->runningCancelled) {
                m_state->runningCancelled = true;
                if (m_state->call) m_state->call->TryCancel();
            }
        }
        m_state->queue.emplace_back(id, std::move(job));
    }
    m_state->wake.notify_all();
    return id;
}

bool RemoteEngine::cancel(JobId id) {
    std::lock_guard events(m_state->events);  // waits for an event of this job in delivery
    std::lock_guard lock(m_state->mutex);
    if (std::erase_if(m_state->queue, [&](const auto& queued) { return queued.first == id; }) > 0) {
        m_state->idle.notify_all();
        return true;
    }
    if (m_state->running == id && !m_state->runningCancelled) {
        m_state->runningCancelled = true;
        if (m_state->call) m_state->call->TryCancel();
        m_state->wake.notify_all();
        return true;
    }
    for (auto& load : m_state->loads) {
        if (load.id == id && !load.finished->load()) {
            load.cancelled->store(true);
            load.call->TryCancel();
            return true;
        }
    }
    return false;
}

void RemoteEngine::waitIdle() {
    std::unique_lock lock(m_state->mutex);
    m_state->idle.wait(lock, [&] {
        if (!m_state->queue.empty() || m_state->running) return false;
        for (const auto& load : m_state->loads)
            if (!load.finished->load()) return false;
        return true;
    });
}

void RemoteEngine::State::work() {
    std::unique_lock lock(mutex);
    while (true) {
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        auto [id, job] = std::move(queue.front());
        queue.pop_front();
        running = id;
        runningView = job.view;
        runningCancelled = false;
        lock.unlock();
        runJob(id, job);
        lock.lock();
        running = 0;
        idle.notify_all();
    }
}

Result<std::string> RemoteEngine::State::upload(const std::string& path, const std::string& sha256) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, path + ": cannot be read to send it to the server");
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    auto context = newCall();
    v1::UploadReply reply;
    auto writer = stub->UploadClip(context.get(), &reply);
    std::string buffer(1u << 20, '\0');
    bool first = true;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0 && !first) break;
        v1::ClipChunk chunk;
        if (first) {
            chunk.set_sha256(sha256);
            chunk.set_size(static_cast<std::int64_t>(size));
            first = false;
        }
        chunk.set_data(buffer.data(), got);
        if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    if (const auto status = writer->Finish(); !status.ok()) return callError(status, options);
    return reply.clip();
}

Result<void> RemoteEngine::State::sendClips(Dialogue& dialogue) {
    v1::ResolveClipsRequest request;
    std::vector<Utterance*> named;
    for (auto& u : dialogue.utterances) {
        if (u.clipPath.empty()) continue;
        if (const auto known = uploaded.find(u.clipPath); known != uploaded.end()) {
            u.clipPath = known->second;
            continue;
        }
        // By name first: hashing is only for the clips the server cannot read.
        request.add_clips(u.clipPath);
        request.add_sha256(std::string());
        named.push_back(&u);
    }
    if (named.empty()) return {};
    auto ask = [&](v1::ResolveClipsRequest& r) -> Result<v1::ResolveClipsReply> {
        auto context = newCall();
        context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::ResolveClipsReply reply;
        if (const auto status = stub->ResolveClips(context.get(), r, &reply); !status.ok()) return callError(status, options);
        if (reply.state_size() != r.clips_size())
            return makeError(ErrorCode::Internal, options.address + ": a malformed ResolveClips reply");
        return reply;
    };
    auto byName = ask(request);
    if (!byName.ok()) return byName.error();
    for (std::size_t i = 0; i < named.size(); ++i) {
        if (byName->state(static_cast<int>(i)) == "path") continue;
        auto& u = *named[i];
        std::error_code ec;
        if (!std::filesystem::is_regular_file(u.clipPath, ec)) continue;  // neither side has it: the clip's own error, as locally
        auto hash = sha256File(u.clipPath);
        if (!hash.ok()) return hash.error();
        v1::ResolveClipsRequest byContent;
        byContent.add_clips(u.clipPath);
        byContent.add_sha256(*hash);
        auto stored = ask(byContent);
        if (!stored.ok()) return stored.error();
        std::string name = "sha256:" + *hash;
        if (stored->state(0) != "stored") {
            auto sent = upload(u.clipPath, *hash);
            if (!sent.ok()) return sent.error();
            name = *sent;
        }
        uploaded[u.clipPath] = name;
        u.clipPath = name;
    }
    return {};
}

void RemoteEngine::State::runJob(JobId id, const EngineJob& original) {
    auto job = original;
    if (auto sent = sendClips(job.dialogue); !sent.ok()) {
        emit([&] { observer->onError(id, sent.error()); });
        return;
    }
    v1::AnalyzeRequest request;
    toWire(job, id, *request.add_jobs());
    const auto giveUp = std::chrono::steady_clock::now() + options.reconnectFor;
    auto backoff = std::chrono::milliseconds(100);
    while (true) {
        auto context = newCall();
        {
            std::lock_guard state(mutex);
            if (runningCancelled || stopping) return;
            call = context.get();
        }
        auto reader = stub->Analyze(context.get(), request);
        v1::AnalyzeEvent event;
        bool ended = false;  // the job's last event arrived
        while (!ended && reader->Read(&event)) {
            if (event.has_progress()) {
                emit([&] { observer->onProgress(id, event.progress().done(), event.progress().total()); });
            } else if (event.has_result()) {
                auto result = fromWire(event.result());
                emit([&] { observer->onResult(id, result); });
                ended = true;
            } else if (event.has_error()) {
                emit([&] { observer->onError(id, fromWire(event.error())); });
                ended = true;
            } else {
                ended = true;  // cancelled on the server's side
            }
        }
        if (ended) context->TryCancel();
        const auto status = reader->Finish();
        {
            std::lock_guard state(mutex);
            call = nullptr;
            if (ended || runningCancelled || stopping) return;
        }
        if (!transient(status) || std::chrono::steady_clock::now() + backoff > giveUp) {
            const auto error = status.ok() ? makeError(ErrorCode::Internal, options.address + ": the server ended the job without a result")
                                           : callError(status, options);
            emit([&] { observer->onError(id, error); });
            return;
        }
        // The connection dropped (or the server restarted): the job again, under the same id.
        if (!pause(backoff)) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

JobId RemoteEngine::load(const std::filesystem::path& checkpoint, const LoadOptions& options) {
    std::lock_guard events(m_state->events);
    std::lock_guard lock(m_state->mutex);
    const JobId id = m_state->nextId++;
    for (auto& previous : m_state->loads) {
        previous.cancelled->store(true);
        previous.call->TryCancel();
    }
    std::erase_if(m_state->loads, [](State::Load& l) {
        if (!l.finished->load()) return false;
        l.thread.join();
        return true;
    });
    State::Load load;
    load.id = id;
    load.call = m_state->newCall();
    v1::LoadRequest request;
    request.set_checkpoint(checkpoint.string());
    request.set_device(options.device);
    request.set_dtype(options.dtype);
    load.thread = std::thread([state = m_state.get(), id, request, call = load.call, cancelled = load.cancelled, finished = load.finished] {
        auto reader = state->stub->Load(call.get(), request);
        v1::LoadEvent event;
        bool ended = false;
        auto emit = [&](auto&& deliver) {
            std::lock_guard events(state->events);
            if (!cancelled->load()) deliver();
        };
        while (!ended && reader->Read(&event)) {
            if (event.has_progress()) {
                emit([&] { state->observer->onLoadProgress(id, event.progress()); });
            } else if (event.has_loaded()) {
                auto model = fromWire(event.loaded());
                ended = true;
                emit([&] {
                    if (!model.ok()) return state->observer->onError(id, model.error());
                    {
                        std::lock_guard lock(state->mutex);
                        state->model = *model;
                    }
                    state->observer->onModelLoaded(id, *model);
                });
            } else if (event.has_error()) {
                ended = true;
                emit([&] { state->observer->onError(id, fromWire(event.error())); });
            }
        }
        if (ended) call->TryCancel();
        const auto status = reader->Finish();
        if (!ended) {
            emit([&] {
                state->observer->onError(
                    id, status.ok() ? makeError(ErrorCode::Internal, state->options.address + ": the load ended without a model")
                                    : callError(status, state->options));
            });
        }
        std::lock_guard events(state->events);
        finished->store(true);
        std::lock_guard lock(state->mutex);
        state->idle.notify_all();
    });
    m_state->loads.push_back(std::move(load));
    return id;
}

}  // namespace egmf::remote
