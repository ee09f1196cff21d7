#include "egmf/remote/engine_server.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "clip_store.h"
#include "egmf_engine.grpc.pb.h"
#include "job_board.h"
#include "served_folders.h"
#include "wire.h"

namespace egmf::remote {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(100);

class Service final : public v1::EngineService::Service {
public:
    Service(ServerOptions& options, ClientRegistry& clients, ServedFolders& folders, ClipStore& clips, JobBoard& board)
        : m_options(options), m_clients(clients), m_folders(folders), m_clips(clips), m_board(board) {}
    void setEngine(Engine* engine) { m_engine = engine; }

    grpc::Status Health(grpc::ServerContext* context, const v1::HealthRequest*, v1::HealthReply* reply) override {
        grpc::Status refusal;
        const auto client = authenticate(*context, refusal);
        if (!client) return refusal;
        reply->set_version(EGMF_VERSION);
        reply->set_model_loaded(m_engine->model().has_value());
        reply->set_queued_jobs(m_board.queued());
        reply->set_connected_clients(connectedClients());
        reply->set_client_name(*client);
        return grpc::Status::OK;
    }

    grpc::Status GetModel(grpc::ServerContext* context, const v1::ModelRequest*, v1::ModelReply* reply) override {
        if (grpc::Status refusal; !authenticate(*context, refusal)) return refusal;
        if (const auto model = m_engine->model()) {
            reply->set_loaded(true);
            toWire(*model, *reply->mutable_model());
        }
        return grpc::Status::OK;
    }

    grpc::Status Load(grpc::ServerContext* context, const v1::LoadRequest* request, grpc::ServerWriter<v1::LoadEvent>* writer) override {
        grpc::Status refusal;
        const auto client = authenticate(*context, refusal);
        if (!client) return refusal;
        auto path = m_folders.resolve(request->checkpoint());
        if (!path.ok()) return refuse(*context, grpc::StatusCode::PERMISSION_DENIED, path.error().message);
        log(*client + " (" + context->peer() + ") loads " + path->string());
        auto stream = m_board.load(
            *client, *path, {request->device().empty() ? "auto" : request->device(), request->dtype().empty() ? "auto" : request->dtype()});
        while (!context->IsCancelled()) {
            auto event = stream->next(kPoll);
            if (!event) continue;
            const bool last = !event->has_progress();
            if (event->has_error()) log("loading " + path->string() + " failed: " + event->error().message());
            if (!writer->Write(*event) || last) break;
        }
        return grpc::Status::OK;
    }

    grpc::Status Analyze(grpc::ServerContext* context, const v1::AnalyzeRequest* request,
                         grpc::ServerWriter<v1::AnalyzeEvent>* writer) override {
        grpc::Status refusal;
        const auto client = authenticate(*context, refusal);
        if (!client) return refusal;
        if (request->jobs_size() == 0) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no job in the request");
        std::vector<JobBoard::Submitted> accepted;
        std::vector<std::pair<std::uint64_t, Error>> failed;
        for (const auto& wire : request->jobs()) {
            auto job = fromWire(wire);
            if (job.ok()) {
                if (auto resolved = resolveClips(*context, job->dialogue); !resolved.ok()) job = resolved.error();
            }
            if (job.ok()) {
                accepted.push_back({wire.client_job_id(), std::move(*job)});
            } else {
                failed.emplace_back(wire.client_job_id(), job.error());
            }
        }
        auto stream = m_board.enqueue(*client, std::move(accepted));
        for (const auto& [id, error] : failed) m_board.fail(stream, id, error);
        while (!stream->finished()) {
            if (context->IsCancelled()) {
                m_board.abandon(stream);
                return grpc::Status::CANCELLED;
            }
            auto event = stream->next(kPoll);
            if (event && !writer->Write(*event)) {
                m_board.abandon(stream);
                return grpc::Status::CANCELLED;
            }
        }
        return grpc::Status::OK;
    }

    grpc::Status Cancel(grpc::ServerContext* context, const v1::CancelRequest* request, v1::CancelReply* reply) override {
        grpc::Status refusal;
        const auto client = authenticate(*context, refusal);
        if (!client) return refusal;
        const auto cancelled =
            m_board.cancel(*client, std::vector<std::uint64_t>(request->client_job_ids().begin(), request->client_job_ids().end()));
        for (const auto id : cancelled) reply->add_cancelled(id);
        return grpc::Status::OK;
    }

    grpc::Status ResolveClips(grpc::ServerContext* context, const v1::ResolveClipsRequest* request, v1::ResolveClipsReply* reply) override {
        if (grpc::Status refusal; !authenticate(*context, refusal)) return refusal;
        for (int i = 0; i < request->clips_size(); ++i) {
            const auto& hash = i < request->sha256_size() ? request->sha256(i) : std::string();
            if (m_folders.resolve(request->clips(i)).ok()) {
                reply->add_state("path");
            } else if (!hash.empty() && m_clips.find(hash)) {
                reply->add_state("stored");
            } else {
                reply->add_state("missing");
            }
        }
        return grpc::Status::OK;
    }

    grpc::Status UploadClip(grpc::ServerContext* context, grpc::ServerReader<v1::ClipChunk>* reader, v1::UploadReply* reply) override {
        grpc::Status refusal;
        const auto client = authenticate(*context, refusal);
        if (!client) return refusal;
        v1::ClipChunk chunk;
        if (!reader->Read(&chunk)) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "an upload without a chunk");
        auto upload = m_clips.begin(chunk.sha256(), chunk.size());
        if (!upload.ok()) return refuse(*context, grpc::StatusCode::INVALID_ARGUMENT, upload.error().message);
        do {
            if (auto added = upload->add(chunk.data()); !added.ok())
                return refuse(*context, grpc::StatusCode::INVALID_ARGUMENT, added.error().message);
        } while (reader->Read(&chunk));
        auto stored = upload->finish();
        if (!stored.ok()) return refuse(*context, grpc::StatusCode::INVALID_ARGUMENT, stored.error().message);
        reply->set_clip("sha256:" + *stored);
        return grpc::Status::OK;
    }

private:
    /// The client the call's token belongs to; else `refusal` says why (and it is logged).
    std::optional<std::string> authenticate(grpc::ServerContext& context, grpc::Status& refusal) {
        const auto& metadata = context.client_metadata();
        const auto found = metadata.find("authorization");
        std::string reason = "no token (ask the server's operator for one: egmf serve --add-client NAME)";
        if (found != metadata.end()) {
            const std::string value(found->second.data(), found->second.size());
            constexpr std::string_view kBearer = "Bearer ";
            if (value.starts_with(kBearer) && value.size() > kBearer.size()) {
                if (auto client = m_clients.clientOf(value.substr(kBearer.size()))) {
                    std::lock_guard lock(m_seenMutex);
                    m_seen[*client] = std::chrono::steady_clock::now();
                    return client;
                }
                reason = "an unknown or revoked token";
            }
        }
        log("refused " + context.peer() + ": " + reason);
        refusal = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the server refused the call: " + reason);
        return std::nullopt;
    }
    grpc::Status refuse(grpc::ServerContext& context, grpc::StatusCode code, const std::string& reason) {
        log("refused " + context.peer() + ": " + reason);
        return grpc::Status(code, reason);
    }
    /// Clips named by the client become files this server may read (under a data root, or an
    /// upload); the error names the clip.
    Result<void> resolveClips(grpc::ServerContext& context, Dialogue& dialogue) {
        for (auto& utterance : dialogue.utterances) {
            if (utterance.clipPath.empty()) continue;
            auto file = utterance.clipPath.starts_with("sha256:") ? m_clips.find(utterance.clipPath.substr(7))
                                                                  : std::optional<std::filesystem::path>();
            if (!file) {
                auto resolved = m_folders.resolve(utterance.clipPath);
                if (!resolved.ok()) {
                    log("refused " + context.peer() + ": " + resolved.error().message);
                    return resolved.error();
                }
                file = *resolved;
            }
            utterance.clipPath = file->string();
        }
        return {};
    }
    int connectedClients() {
        std::lock_guard lock(m_seenMutex);
        const auto recent = std::chrono::steady_clock::now() - std::chrono::minutes(5);
        int n = 0;
        for (const auto& [name, at] : m_seen) n += at > recent;
        return n;
    }
    void log(const std::string& line) const {
        if (m_options.log) {
            m_options.log(line);
        } else {
            std::fprintf(stderr, "egmf serve: %s\n", line.c_str());
        }
    }

    ServerOptions& m_options;
    ClientRegistry& m_clients;
    ServedFolders& m_folders;
    ClipStore& m_clips;
    JobBoard& m_board;
    Engine* m_engine = nullptr;
    std::mutex m_seenMutex;
    std::map<std::string, std::chrono::steady_clock::time_point> m_seen;
};

}  // namespace

struct EngineServer::State {
    ServerOptions options;
    std::string fingerprint;
    std::unique_ptr<ClientRegistry> clients;
    ServedFolders folders;
    std::unique_ptr<ClipStore> clips;
    std::shared_ptr<JobBoard> board = std::make_shared<JobBoard>();
    std::unique_ptr<Engine> engine;
    std::unique_ptr<v1::EngineService::Service> service;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
};

Result<std::unique_ptr<EngineServer>> EngineServer::start(ServerOptions options, const EngineFactory& makeEngine) {
    auto state = std::make_unique<State>();
    auto certificate = options.certificate ? Result<Certificate>(*options.certificate) : loadOrCreateServerCertificate(options.stateDir);
    if (!certificate.ok()) return certificate.error();
    auto fingerprint = certificateFingerprint(certificate->certificatePem);
    if (!fingerprint.ok()) return fingerprint.error();
    state->fingerprint = *fingerprint;
    auto folders = ServedFolders::make(options.dataRoots);
    if (!folders.ok()) return folders.error();
    state->folders = std::move(*folders);
    auto clips = ClipStore::open(options.stateDir / "uploads", options.uploadQuotaBytes);
    if (!clips.ok()) return clips.error();
    state->clips = std::move(*clips);
    state->clients = std::make_unique<ClientRegistry>(options.stateDir / "clients.json");
    state->options = std::move(options);
    auto engine = makeEngine(state->board);
    if (!engine.ok()) return engine.error();
    state->engine = std::move(*engine);
    state->board->start(state->engine.get());
    auto service = std::make_unique<Service>(state->options, *state->clients, state->folders, *state->clips, *state->board);
    service->setEngine(state->engine.get());
    state->service = std::move(service);

    grpc::SslServerCredentialsOptions tls(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    tls.pem_key_cert_pairs.push_back({certificate->privateKeyPem, certificate->certificatePem});
    grpc::ServerBuilder builder;
    builder.AddListeningPort(state->options.listen, grpc::SslServerCredentials(tls), &state->port);
    builder.SetMaxReceiveMessageSize(state->options.maxMessageBytes);
    builder.SetMaxSendMessageSize(state->options.maxMessageBytes);
    builder.RegisterService(state->service.get());
    state->server = builder.BuildAndStart();
    if (!state->server || state->port == 0) {
        state->board->stop();
        return makeError(ErrorCode::Io, state->options.listen +
                                            ": cannot listen there (the port in use, or not an address of this machine); "
                                            "choose another with --listen HOST:PORT");
    }
    return std::unique_ptr<EngineServer>(new EngineServer(std::move(state)));
}

EngineServer::EngineServer(std::unique_ptr<State> state) : m_state(std::move(state)) {}

EngineServer::~EngineServer() {
    shutdown();
    m_state->server->Wait();
    m_state->board->stop();
    m_state->engine.reset();
}

int EngineServer::port() const {
    return m_state->port;
}

const std::string& EngineServer::fingerprint() const {
    return m_state->fingerprint;
}

void EngineServer::wait() {
    m_state->server->Wait();
}

void EngineServer::shutdown() {
    // Open streams end within a poll: handlers see their calls cancelled.
    m_state->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace egmf::remote
