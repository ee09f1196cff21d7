// egmf serve: the background engine as a service for Studios and `egmf analyze --server` elsewhere
// (docs/remote-engine.md). TLS always (a certificate is made on first start unless one is given),
// one token per client, clips read only under --data-root or uploaded.
//   egmf serve [--listen HOST:PORT] [--data-root DIR]... [--checkpoint PATH] [--device D] [--dtype T]
//   egmf serve --add-client NAME | --revoke-client NAME | --list-clients
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "checkpoint_loading.h"
#include "commands.h"
#include "egmf/remote/engine_server.h"

namespace egmf::cli {
namespace {

std::filesystem::path defaultStateDir() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::filesystem::path(state) / "egmf-serve";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : "/tmp") / ".local" / "state" / "egmf-serve";
}

struct ServeOptions {
    remote::ServerOptions server;
    std::string stateDir, checkpoint, device = "auto", dtype = "auto", tlsCert, tlsKey;
    std::vector<std::string> dataRoots, pluginDirs;
    std::string addClient, revokeClient;
    bool listClients = false;
    int threads = 0;
    double uploadQuotaGb = 20;
};

int manageClients(const ServeOptions& options, const std::filesystem::path& stateDir) {
    remote::ClientRegistry clients(stateDir / "clients.json");
    if (!options.addClient.empty()) {
        auto token = clients.add(options.addClient);
        if (!token.ok()) {
            std::fprintf(stderr, "error: %s\n", token.error().message.c_str());
            return 2;
        }
        std::fprintf(stderr, "client %s added (%s); its token, shown once (give it to the client, e.g. as EGMF_SERVER_TOKEN):\n",
                     options.addClient.c_str(), clients.file().c_str());
        std::printf("%s\n", token->c_str());
        return 0;
    }
    if (!options.revokeClient.empty()) {
        auto revoked = clients.revoke(options.revokeClient);
        if (!revoked.ok()) {
            std::fprintf(stderr, "error: %s\n", revoked.error().message.c_str());
            return 2;
        }
        if (!*revoked) {
            std::fprintf(stderr, "error: %s: no client of that name (egmf serve --list-clients)\n", options.revokeClient.c_str());
            return 2;
        }
        std::fprintf(stderr, "client %s revoked: its token is refused from its next call\n", options.revokeClient.c_str());
        return 0;
    }
    auto names = clients.names();
    if (!names.ok()) {
        std::fprintf(stderr, "error: %s\n", names.error().message.c_str());
        return 2;
    }
    for (const auto& name : *names) std::printf("%s\n", name.c_str());
    return 0;
}

}  // namespace

Command addServeCommand(CLI::App& app) {
    auto* command = app.add_subcommand("serve", "Run the engine as a service (gRPC with TLS) for Studios and `egmf analyze --server`");
    auto options = std::make_shared<ServeOptions>();
    command->add_option("--listen", options->server.listen, "HOST:PORT to listen on (port 0: any free one)")->capture_default_str();
    command->add_option("--data-root", options->dataRoots, "A folder clients may name clips and checkpoints in (repeatable)");
    command->add_option("--checkpoint", options->checkpoint, "A checkpoint to load before serving (any the plugins read)");
    command->add_option("--device", options->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
    command->add_option("--dtype", options->dtype, "auto | float32 | bfloat16 | float16")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16", "float16"}))
        ->capture_default_str();
    command->add_option("--threads", options->threads, "Intra-op threads (0: every core)")->capture_default_str();
    command->add_option("--state-dir", options->stateDir,
                        "The server's certificate, clients and uploads (default: $XDG_STATE_HOME/egmf-serve)");
    command->add_option("--tls-cert", options->tlsCert, "A PEM certificate to use instead of the one made on first start");
    command->add_option("--tls-key", options->tlsKey, "Its PEM private key");
    command->add_option("--upload-quota-gb", options->uploadQuotaGb, "Space for uploaded clips (oldest removed first)")
        ->capture_default_str();
    command->add_option("--plugin-dir", options->pluginDirs, "A folder of checkpoint plugins, searched before the installed ones");
    command->add_option("--add-client", options->addClient, "Add a client and print its token (then exit)");
    command->add_option("--revoke-client", options->revokeClient, "Revoke a client's token (then exit)");
    command->add_flag("--list-clients", options->listClients, "List the clients (then exit)");
    return [options]() {
        const auto stateDir = options->stateDir.empty() ? defaultStateDir() : std::filesystem::path(options->stateDir);
        if (!options->addClient.empty() || !options->revokeClient.empty() || options->listClients) return manageClients(*options, stateDir);

        auto server = options->server;
        server.stateDir = stateDir;
        for (const auto& root : options->dataRoots) server.dataRoots.emplace_back(root);
        server.uploadQuotaBytes = static_cast<std::uint64_t>(options->uploadQuotaGb * (1ull << 30));
        if (!options->tlsCert.empty() || !options->tlsKey.empty()) {
            auto certificate = remote::readServerCertificate(options->tlsCert, options->tlsKey);
            if (!certificate.ok()) {
                std::fprintf(stderr, "error: %s\n", certificate.error().message.c_str());
                return 2;
            }
            server.certificate = std::move(*certificate);
        }
        // SIGINT and SIGTERM stop the server from a thread of their own (blocked everywhere else).
        sigset_t stopSignals;
        sigemptyset(&stopSignals);
        sigaddset(&stopSignals, SIGINT);
        sigaddset(&stopSignals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

        auto started =
            remote::EngineServer::start(server, [&](std::shared_ptr<EngineObserver> observer) -> Result<std::unique_ptr<Engine>> {
                auto engine = std::make_unique<LocalEngine>(std::move(observer), checkpointOpener(options->pluginDirs));
#ifdef EGMF_WITH_MEDIA
                engine->setFeatureSource(makeClipFeatureSource());
#endif
                engine->setThreads(options->threads > 0 ? options->threads : static_cast<int>(std::thread::hardware_concurrency()));
                if (!options->checkpoint.empty()) {
                    auto loaded = engine->loadAndWait(options->checkpoint, {options->device, options->dtype});
                    if (!loaded.ok()) return loaded.error();
                    std::fprintf(stderr, "egmf serve: loaded %s (%s, %s %s)\n", options->checkpoint.c_str(), loaded->loader.c_str(),
                                 loaded->device.c_str(), loaded->dtype.c_str());
                }
                return std::unique_ptr<Engine>(std::move(engine));
            });
        if (!started.ok()) {
            std::fprintf(stderr, "error: %s\n", started.error().message.c_str());
            return 2;
        }
        auto& running = **started;
        const auto host = server.listen.substr(0, server.listen.rfind(':'));
        std::printf("egmf serve: listening on %s:%d (TLS, certificate %s, SHA-256 %s)\n", host.c_str(), running.port(),
                    (options->tlsCert.empty() ? (stateDir / "server.crt").string() : options->tlsCert).c_str(),
                    running.fingerprint().c_str());
        std::fflush(stdout);
        std::thread stopper([&] {
            int signal = 0;
            sigwait(&stopSignals, &signal);
            std::fprintf(stderr, "egmf serve: stopping (signal %d)\n", signal);
            running.shutdown();
        });
        running.wait();
        // A shutdown that did not come from a signal leaves the stopper waiting: wake it.
        if (stopper.joinable()) {
            pthread_kill(stopper.native_handle(), SIGTERM);
            stopper.join();
        }
        started->reset();
        return 0;
    };
}

}  // namespace egmf::cli
