#pragma once
// RemoteEngine: the Engine (egmf/engine.h) of a server elsewhere (`egmf serve`; docs/remote-engine.md),
// the same to its callers as LocalEngine. Jobs go to the server one at a time, in submission order,
// each as one streaming call whose events are delivered like a local engine's. A dropped connection
// is retried with backoff and the unfinished job sent again under the same id, so a restarted
// server costs time, not results; after `reconnectFor` the job fails with the reason.
// TLS always: the server's certificate is pinned (the only root trusted). Torch-free.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "egmf/engine.h"

namespace egmf::remote {

struct RemoteOptions {
    std::string address;         ///< host:port
    std::string token;           ///< this client's (`egmf serve --add-client NAME` printed it)
    std::string certificatePem;  ///< the server's certificate: the only one trusted
    /// The name the certificate is checked for: a certificate `egmf serve` made holds localhost;
    /// pinning makes the name moot there. A CA-issued certificate: the server's host name.
    std::string serverName = "localhost";
    std::chrono::seconds reconnectFor{300};
};

struct ServerHealth {
    std::string version, clientName;
    bool modelLoaded = false;
    int queuedJobs = 0, connectedClients = 0;
    double roundTripMs = 0;
};

class RemoteEngine final : public Engine {
public:
    /// Connects and asks the server's health; the error says whether the address, the
    /// certificate or the token is at fault.
    static Result<std::unique_ptr<RemoteEngine>> connect(const RemoteOptions& options, std::shared_ptr<EngineObserver> observer);
    ~RemoteEngine() override;  ///< cancels what is queued or running
    RemoteEngine(const RemoteEngine&) = delete;
    RemoteEngine& operator=(const RemoteEngine&) = delete;

    /// `checkpoint` is a path on the server, under one of its data roots.
    JobId load(const std::filesystem::path& checkpoint, const LoadOptions& options) override;
    std::optional<ModelInfo> model() const override;
    JobId submit(EngineJob job) override;
    bool cancel(JobId id) override;
    /// The server decides its threads.
    void setThreads(int) override {}
    void waitIdle() override;

    /// Asks the server how it is, now.
    Result<ServerHealth> health();
    /// The round trip of the last health call (one every few seconds, in the background, for a
    /// status bar); nullopt while the server does not answer.
    std::optional<double> roundTripMs() const;
    const RemoteOptions& options() const;

private:
    struct State;
    explicit RemoteEngine(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

}  // namespace egmf::remote
