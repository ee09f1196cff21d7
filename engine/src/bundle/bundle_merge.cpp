// Joining the parts of one run (egmf/app/analysis_bundle.h).
#include <algorithm>
#include <set>

#include "egmf/app/analysis_bundle.h"

namespace egmf::bundle {
namespace {

bool sameRun(const Identity& a, const Identity& b) {
    return a.manifestJson == b.manifestJson && a.manifestSha256 == b.manifestSha256 && a.dataset == b.dataset;
}

/// The merged bundle: `order`'s dialogues taken from `parts` (the first part that has one wins),
/// every part's clip stamps once.
Result<void> write(const std::vector<Contents>& parts, const std::vector<std::string>& order, const std::filesystem::path& out) {
    auto identity = parts.front().identity;
    identity.rank = 0;
    identity.ranks = 1;
    auto writer = Writer::create(out, identity);
    if (!writer.ok()) return writer.error();
    std::vector<ClipStamp> stamps;
    std::set<std::string> stamped;
    for (const auto& part : parts) {
        for (const auto& [path, stamp] : part.clips) {
            if (stamped.insert(path).second) stamps.push_back(stamp);
        }
    }
    for (const auto& id : order) {
        for (const auto& part : parts) {
            const auto found = part.dialogues.find(id);
            if (found == part.dialogues.end()) continue;
            if (auto added = writer->add(found->second, stamps); !added.ok()) return added.error();
            stamps.clear();  // the clips go in once, with the first dialogue
            break;
        }
    }
    return writer->finish(static_cast<int>(order.size()));
}

}  // namespace

Result<void> merge(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& out) {
    if (parts.empty()) return makeError(ErrorCode::InvalidArgument, "name the parts to merge");
    std::vector<Contents> read_;
    std::set<int> ranks;
    for (const auto& part : parts) {
        auto contents = read(part);
        if (!contents.ok()) return contents.error();
        if (!contents->complete) {
            return makeError(ErrorCode::InvalidArgument, part.string() + ": an unfinished part (" +
                                                             std::to_string(contents->dialogues.size()) +
                                                             " dialogues, no completion record); run its rank again");
        }
        if (!read_.empty() &&
            (!sameRun(contents->identity, read_.front().identity) || contents->identity.ranks != read_.front().identity.ranks)) {
            return makeError(ErrorCode::Mismatch, part.string() + ": a part of another run (checkpoint, dataset or rank count differ)");
        }
        if (!ranks.insert(contents->identity.rank).second) {
            return makeError(ErrorCode::InvalidArgument,
                             part.string() + ": rank " + std::to_string(contents->identity.rank) + " given twice");
        }
        read_.push_back(std::move(*contents));
    }
    const int expected = read_.front().identity.ranks;
    if (static_cast<int>(ranks.size()) != expected || *ranks.begin() != 0 || *ranks.rbegin() != expected - 1) {
        return makeError(ErrorCode::InvalidArgument,
                         "the run had " + std::to_string(expected) + " ranks; " + std::to_string(ranks.size()) + " parts were given");
    }
    std::sort(read_.begin(), read_.end(), [](const Contents& a, const Contents& b) { return a.identity.rank < b.identity.rank; });
    std::vector<std::string> order;
    std::set<std::string> seen;
    for (const auto& part : read_) {
        for (const auto& id : part.dialogueOrder) {
            if (seen.insert(id).second) order.push_back(id);
        }
    }
    return write(read_, order, out);
}

Result<void> mergeRun(const std::vector<std::filesystem::path>& parts, const std::vector<std::string>& order,
                      const std::filesystem::path& out) {
    if (parts.empty()) return makeError(ErrorCode::InvalidArgument, "the run left no parts to merge");
    std::vector<std::pair<std::filesystem::path, Contents>> read_;
    for (const auto& part : parts) {
        auto contents = read(part);
        if (!contents.ok()) return contents.error();
        if (!read_.empty() && !sameRun(contents->identity, read_.front().second.identity)) {
            return makeError(ErrorCode::Mismatch, part.string() + ": a part of another run (its checkpoint or dataset differ from " +
                                                      read_.front().first.string() + "'s)");
        }
        read_.emplace_back(part, std::move(*contents));
    }
    // Where two parts hold a dialogue (a rank thought dead that was only slow), the lowest rank's
    // copy is kept, then the earliest attempt's: the same whatever order the parts finished in.
    std::sort(read_.begin(), read_.end(), [](const auto& a, const auto& b) {
        return std::pair(a.second.identity.rank, a.first.filename().string()) <
               std::pair(b.second.identity.rank, b.first.filename().string());
    });
    std::vector<Contents> contents;
    for (auto& [path, part] : read_) contents.push_back(std::move(part));
    std::vector<std::string> missing;
    for (const auto& id : order) {
        if (std::none_of(contents.begin(), contents.end(), [&](const Contents& c) { return c.dialogues.count(id) > 0; }))
            missing.push_back(id);
    }
    if (!missing.empty()) {
        return makeError(ErrorCode::InvalidArgument, std::to_string(missing.size()) + " of " + std::to_string(order.size()) +
                                                         " dialogues are in no part (the first: " + missing.front() +
                                                         "); run again with --resume to finish them");
    }
    return write(contents, order, out);
}

}  // namespace egmf::bundle
