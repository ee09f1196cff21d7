#include "egmf/app/shared_work.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace egmf::cluster {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(100);

std::string key(const char* name, int index) {
    return std::string(name) + "/" + std::to_string(index);
}

}  // namespace

struct SharedWork::State {
    using Takeover = SharedWork::Takeover;
    KeyValueStore& store;
    SharedWorkOptions options;
    int items = 0;
    bool counterEmpty = false;
    std::vector<int> missing;  ///< rank 0's last sweep: items no rank marked done
    bool swept = false;

    /// Heartbeats of the others as this rank saw them: the last value and when it changed.
    struct Seen {
        std::int64_t beats = -1;
        Clock::time_point changed;
    };
    std::map<int, Seen> seen;
    std::set<int> dead, finished;
    std::vector<Takeover> takeovers;

    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::optional<Error> heartbeatError;
    std::thread heartbeat;

    State(KeyValueStore& s, SharedWorkOptions o, int n) : store(s), options(o), items(n) {
        const auto now = Clock::now();
        for (int r = 0; r < options.world; ++r) {
            if (r != options.rank) seen[r] = {-1, now};
        }
    }

    void beat() {
        std::unique_lock lock(mutex);
        while (!stopping) {
            lock.unlock();
            auto added = store.add(key("beat", options.rank), 1);
            lock.lock();
            if (!added) {
                heartbeatError = added.error();
                return;
            }
            wake.wait_for(lock, options.heartbeat, [&] { return stopping; });
        }
    }

    Result<void> healthy() {
        std::lock_guard lock(mutex);
        if (heartbeatError) return *heartbeatError;
        return {};
    }

    /// Whether rank `r` is past helping: finished, or its heartbeat stood still too long.
    Result<bool> gone(int r) {
        if (finished.count(r) || dead.count(r)) return true;
        auto isFinished = store.tryGet(key("finished", r));
        if (!isFinished) return isFinished.error();
        if (*isFinished) {
            finished.insert(r);
            return true;
        }
        auto beats = store.tryGet(key("beat", r));
        if (!beats) return beats.error();
        auto& s = seen[r];
        const std::int64_t value = *beats ? std::stoll(**beats) : -1;
        if (value != s.beats) {
            s.beats = value;
            s.changed = Clock::now();
            return false;
        }
        if (Clock::now() - s.changed < options.deadAfter) return false;
        dead.insert(r);
        return true;
    }

    /// An item a dead rank was on, now this rank's; nullopt when there is none.
    Result<std::optional<int>> takeOver() {
        for (int r = 0; r < options.world; ++r) {
            if (r == options.rank) continue;
            auto isGone = gone(r);
            if (!isGone) return isGone.error();
            if (!*isGone || finished.count(r)) continue;
            auto current = store.tryGet(key("current", r));
            if (!current) return current.error();
            if (!*current || **current == "-" || (*current)->rfind("taken-by-", 0) == 0) continue;
            const auto mine = "taken-by-" + std::to_string(options.rank);
            auto swapped = store.compareSet(key("current", r), **current, mine);
            if (!swapped) return swapped.error();
            if (*swapped != mine) continue;  // another rank took it first
            const int item = std::stoi(**current);
            auto isDone = store.tryGet(key("done", item));
            if (!isDone) return isDone.error();
            if (*isDone) continue;  // it finished just before it died
            takeovers.push_back({item, r});
            return std::optional<int>(item);
        }
        return std::optional<int>();
    }

    /// Rank 0, at the end: are all the others gone, and which items did nobody mark done?
    Result<bool> othersGone() {
        for (int r = 1; r < options.world; ++r) {
            auto isGone = gone(r);
            if (!isGone) return isGone.error();
            if (!*isGone) return false;
        }
        return true;
    }

    Result<void> sweep() {
        swept = true;
        auto count = store.add("done-count", 0);
        if (!count) return count.error();
        if (*count >= items) return {};
        for (int item = 0; item < items; ++item) {
            auto isDone = store.tryGet(key("done", item));
            if (!isDone) return isDone.error();
            if (!*isDone) missing.push_back(item);
        }
        return {};
    }

    Result<std::optional<int>> claim(std::optional<int> item) {
        if (auto set = store.set(key("current", options.rank), item ? std::to_string(*item) : "-"); !set) return set.error();
        return item;
    }
};

SharedWork::SharedWork(KeyValueStore& store, SharedWorkOptions options, int items)
    : m_state(std::make_unique<State>(store, options, items)) {
    if (options.world > 1) m_state->heartbeat = std::thread([this] { m_state->beat(); });
}

SharedWork::~SharedWork() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
    }
    m_state->wake.notify_all();
    if (m_state->heartbeat.joinable()) m_state->heartbeat.join();
}

Result<std::optional<int>> SharedWork::next(const std::function<bool()>& cancelled) {
    auto& s = *m_state;
    if (auto ok = s.healthy(); !ok) return ok.error();
    if (!s.counterEmpty) {
        auto ticket = s.store.add("next", 1);
        if (!ticket) return ticket.error();
        // claim() right after: an item claimed but not yet marked current is found by rank 0's sweep.
        if (*ticket <= s.items) return s.claim(static_cast<int>(*ticket - 1));
        s.counterEmpty = true;
    }
    while (true) {
        if (auto ok = s.healthy(); !ok) return ok.error();
        auto orphan = s.takeOver();
        if (!orphan) return orphan.error();
        if (*orphan) return s.claim(*orphan);
        if (s.options.rank != 0) return s.claim(std::nullopt);
        if (s.swept) {
            if (s.missing.empty()) return s.claim(std::nullopt);
            const int item = s.missing.back();
            s.missing.pop_back();
            return s.claim(item);
        }
        auto allGone = s.othersGone();
        if (!allGone) return allGone.error();
        if (*allGone) {
            if (auto swept = s.sweep(); !swept) return swept.error();
            continue;
        }
        if (cancelled && cancelled()) return s.claim(std::nullopt);
        std::this_thread::sleep_for(kPoll);
    }
}

Result<void> SharedWork::done(int item) {
    auto& s = *m_state;
    const auto me = std::to_string(s.options.rank);
    auto first = s.store.compareSet(key("done", item), "", me);
    if (!first) return first.error();
    if (*first == me) {
        if (auto counted = s.store.add("done-count", 1); !counted) return counted.error();
    }
    return {};
}

Result<void> SharedWork::finish() {
    auto& s = *m_state;
    if (s.options.world <= 1) return {};
    if (auto cleared = s.claim(std::nullopt); !cleared) return cleared.error();
    return s.store.set(key("finished", s.options.rank), "1");
}

Result<int> SharedWork::doneCount() {
    auto count = m_state->store.add("done-count", 0);
    if (!count) return count.error();
    return static_cast<int>(*count);
}

int SharedWork::deadRanks() const {
    return static_cast<int>(m_state->dead.size());
}

const std::vector<SharedWork::Takeover>& SharedWork::takeovers() const {
    return m_state->takeovers;
}

}  // namespace egmf::cluster
