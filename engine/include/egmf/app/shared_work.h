#pragma once
// Work shared by the ranks of one run through the launcher's key-value store (c10d's TCPStore,
// egmf/app/rendezvous.h): items 0..n-1 in a fixed order, handed out by an atomic counter, so a
// rank that finishes early simply takes the next one. Nothing is scheduled ahead.
//
// Nothing lost: each rank keeps its heartbeat (a counter it bumps) and the item it is on in the
// store. A rank whose heartbeat stands still for `deadAfter` is dead; another rank takes its
// unfinished item over (compare-and-set, so only one does). Rank 0 holds the store, so it stays to
// the end: once every other rank has finished or died it does whatever no rank has marked done.
// A rank thought dead that was only slow may finish its item too; whoever reads the results
// keeps one copy by a fixed rule (the bundle merge: the lowest rank).
//
// Keys: next (the counter), beat/R, current/R (an item, "-" or "taken-by-R"), done/I, done-count,
// finished/R.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "egmf/dialogue.h"
#include "egmf/result.h"

namespace egmf::cluster {

/// The order to hand dialogues out in: longest first, so no rank is left with a long one at the
/// end. By the dataset's own times where every clip has one, else by the clips' file sizes (no
/// clip is opened), else by the length of the text; ties keep the dataset's order.
std::vector<const Dialogue*> longestFirst(std::vector<const Dialogue*> dialogues);

/// The few operations of a c10d store that shared work needs; errors instead of exceptions.
class KeyValueStore {
public:
    virtual ~KeyValueStore() = default;
    virtual Result<std::int64_t> add(const std::string& key, std::int64_t delta) = 0;
    virtual Result<void> set(const std::string& key, const std::string& value) = 0;
    /// The value, or nullopt when the key is not there (without waiting for it).
    virtual Result<std::optional<std::string>> tryGet(const std::string& key) = 0;
    /// The value, waiting for the key at most `timeout`.
    virtual Result<std::string> get(const std::string& key, std::chrono::milliseconds timeout) = 0;
    /// Sets `desired` where the value is `expected` ("" also matches a missing key); returns the
    /// value after (`desired` when it was set).
    virtual Result<std::string> compareSet(const std::string& key, const std::string& expected, const std::string& desired) = 0;
};

struct SharedWorkOptions {
    int rank = 0, world = 1;
    std::chrono::milliseconds heartbeat{1000};
    std::chrono::milliseconds deadAfter{30000};
};

class SharedWork {
public:
    /// Starts this rank's heartbeat.
    SharedWork(KeyValueStore& store, SharedWorkOptions options, int items);
    ~SharedWork();
    SharedWork(const SharedWork&) = delete;
    SharedWork& operator=(const SharedWork&) = delete;

    /// The next item for this rank, or nullopt when there is none left for it. Rank 0 returns
    /// nullopt only when every item is done; meanwhile it waits (polling; `cancelled` stops it).
    Result<std::optional<int>> next(const std::function<bool()>& cancelled = {});
    /// The item's results are stored where the readers will look.
    Result<void> done(int item);
    /// This rank's part is closed; rank 0 no longer waits for it.
    Result<void> finish();

    /// Items marked done so far, by every rank (each counted once).
    Result<int> doneCount();
    /// Ranks this rank has seen dead so far.
    int deadRanks() const;
    struct Takeover {
        int item = 0, fromRank = 0;
    };
    /// The items this rank took over from dead ranks, in order.
    const std::vector<Takeover>& takeovers() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace egmf::cluster
