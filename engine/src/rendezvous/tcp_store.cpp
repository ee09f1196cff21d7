#include "c10d_store.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "egmf/app/rendezvous.h"
#include "model/torch_errors.h"

namespace egmf::cluster {
namespace {

std::vector<std::uint8_t> bytes(const std::string& text) {
    return {text.begin(), text.end()};
}

std::string text(const std::vector<std::uint8_t>& bytes) {
    return {bytes.begin(), bytes.end()};
}

class TcpStore final : public KeyValueStore {
public:
    TcpStore(c10::intrusive_ptr<c10d::Store> store, std::string where) : m_store(std::move(store)), m_where(std::move(where)) {}

    Result<std::int64_t> add(const std::string& key, std::int64_t delta) override {
        return guarded<std::int64_t>([&] { return m_store->add(key, delta); });
    }
    Result<void> set(const std::string& key, const std::string& value) override {
        auto done = guarded<bool>([&] {
            m_store->set(key, bytes(value));
            return true;
        });
        if (!done) return done.error();
        return {};
    }
    Result<std::optional<std::string>> tryGet(const std::string& key) override {
        return guarded<std::optional<std::string>>([&]() -> std::optional<std::string> {
            if (!m_store->check({key})) return std::nullopt;
            return text(m_store->get(key));
        });
    }
    Result<std::string> get(const std::string& key, std::chrono::milliseconds timeout) override {
        return guarded<std::string>([&] {
            m_store->wait({key}, timeout);
            return text(m_store->get(key));
        });
    }
    Result<std::string> compareSet(const std::string& key, const std::string& expected, const std::string& desired) override {
        return guarded<std::string>([&] { return text(m_store->compareSet(key, bytes(expected), bytes(desired))); });
    }

    c10::intrusive_ptr<c10d::Store> c10d() const { return m_store; }

private:
    /// c10d reports a lost or timed-out store by exceptions; here they become errors.
    template <typename T, typename F>
    Result<T> guarded(F&& call) {
        try {
            return call();
        } catch (const std::exception& e) {
            return makeError(ErrorCode::Io, "the run's store at " + m_where + " stopped answering (" + exceptionText(e) +
                                                "): rank 0 holds it, so the run has ended there; start it again with --resume");
        }
    }

    c10::intrusive_ptr<c10d::Store> m_store;
    std::string m_where;
};

}  // namespace

c10::intrusive_ptr<c10d::Store> c10dStoreOf(KeyValueStore& store) {
    auto* tcp = dynamic_cast<TcpStore*>(&store);
    return tcp ? tcp->c10d() : c10::intrusive_ptr<c10d::Store>();
}

Result<std::unique_ptr<KeyValueStore>> connectStore(const LaunchEnvironment& launch, std::chrono::milliseconds timeout) {
    const auto where = launch.masterAddr + ":" + std::to_string(launch.masterPort);
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(launch.masterPort);
        options.isServer = launch.rank == 0 && !launch.storeHostedByLauncher;
        options.waitWorkers = false;  // a rank that never comes is noticed by its missing heartbeat
        options.timeout = timeout;
        c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(launch.masterAddr, options);
        if (!launch.storePrefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(launch.storePrefix, store);
        // The connect timeout was for meeting; an operation later waits as long as it must.
        store->setTimeout(std::chrono::hours(24));
        return std::unique_ptr<KeyValueStore>(std::make_unique<TcpStore>(store, where));
    } catch (const std::exception& e) {
        const bool host = launch.rank == 0 && !launch.storeHostedByLauncher;
        return makeError(ErrorCode::Io,
                         std::string(host ? "rank 0 cannot open the run's store at " : "cannot reach the run's store at ") + where +
                             " (MASTER_ADDR=" + launch.masterAddr + ", MASTER_PORT=" + std::to_string(launch.masterPort) + ", from " +
                             (launch.launcher.empty() ? "flags" : launch.launcher) + ") within " + std::to_string(timeout.count() / 1000) +
                             " s: " + exceptionText(e) +
                             (host ? "; is the port in use? choose another MASTER_PORT"
                                   : "; check that rank 0 started, that this host resolves MASTER_ADDR and that the port is open "
                                     "between the nodes"));
    }
}

}  // namespace egmf::cluster
