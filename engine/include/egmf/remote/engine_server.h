#pragma once
// EngineServer: an Engine (egmf/engine.h) served over gRPC with TLS (`egmf serve`;
// docs/remote-engine.md). One model, loaded once, serves every client; each client's jobs are
// queued apart and taken in turn. Clips are read only under the exported folders or from the
// uploads the server stores by content hash. Every call must carry a client's token; every
// refusal is logged with the peer and the reason.
// Torch-free: the engine is made by the caller's factory (LocalEngine in `egmf serve`).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "egmf/engine.h"
#include "egmf/remote/server_identity.h"

namespace egmf::remote {

struct ServerOptions {
    /// host:port; port 0 takes a free one (port() tells which). Loopback unless told otherwise.
    std::string listen = "127.0.0.1:50051";
    /// The server's own files: server.crt/.key (made here when none is given), clients.json,
    /// uploads/.
    std::filesystem::path stateDir;
    std::optional<Certificate> certificate;        ///< none: stateDir's, made on first start
    std::vector<std::filesystem::path> dataRoots;  ///< the folders clients may name clips and checkpoints in
    std::uint64_t uploadQuotaBytes = 20ull << 30;  ///< uploads kept at most (oldest removed first)
    int maxMessageBytes = 64 << 20;                ///< a dialogue with its features must fit
    /// Connections refused and their reasons, loads and errors; stderr when empty.
    std::function<void(const std::string&)> log;
};

/// Makes the engine the server runs, delivering its events to `observer` (and loads the first
/// checkpoint, when the operator named one).
using EngineFactory = std::function<Result<std::unique_ptr<Engine>>(std::shared_ptr<EngineObserver> observer)>;

class EngineServer {
public:
    /// Listens at once; the error names what stopped it (a port in use, a bad certificate, a
    /// data root that does not exist).
    static Result<std::unique_ptr<EngineServer>> start(ServerOptions options, const EngineFactory& makeEngine);
    ~EngineServer();  ///< stops serving, cancels every job
    EngineServer(const EngineServer&) = delete;
    EngineServer& operator=(const EngineServer&) = delete;

    int port() const;
    /// The certificate's SHA-256 fingerprint, for the client to compare.
    const std::string& fingerprint() const;
    /// Blocks until shutdown() (from another thread or a signal handler's thread).
    void wait();
    void shutdown();

private:
    struct State;
    explicit EngineServer(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace egmf::remote
