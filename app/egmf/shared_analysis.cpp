// `egmf analyze` on several ranks (docs/cluster.md): the ranks a launcher started meet at rank 0's
// store (egmf/app/rendezvous.h) and take dialogues from one counter, longest first
// (egmf/app/shared_work.h). Each rank writes its own part of the analysis bundle into OUT.parts/,
// a transaction per dialogue; when every rank has finished or died, rank 0 merges the parts in the
// dataset's order (a dialogue two ranks wrote is taken from the lower rank) into the bundle and
// the results file, and removes the parts. A run cut short (rank 0 died, Ctrl-C) keeps its parts;
// --resume starts another attempt over what no part has yet.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "analysis_collector.h"
#include "analysis_run.h"
#include "egmf/app/rendezvous.h"
#include "egmf/app/shared_work.h"
#include "results_jsonl.h"

namespace egmf::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// What rank 0 decides for every rank: the attempt and the dialogues still to do, in order.
struct Plan {
    int attempt = 1;
    std::vector<std::string> order;
    int alreadyDone = 0;
};

const std::regex kPartName(R"(attempt-(\d+)-rank-(\d+)\.egmfa)");

std::vector<fs::path> partsIn(const fs::path& folder) {
    std::vector<fs::path> parts;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (std::regex_match(entry.path().filename().string(), kPartName)) parts.push_back(entry.path());
    }
    std::sort(parts.begin(), parts.end());
    return parts;
}

Result<Plan> planRun(const AnalysisRequest& request, const std::vector<const Dialogue*>& chosen, const fs::path& partsFolder) {
    std::error_code ec;
    if (!request.bundle.empty() && fs::exists(request.bundle, ec)) {
        return makeError(ErrorCode::InvalidArgument, request.bundle + ": exists already; choose another --bundle, or remove it");
    }
    Plan plan;
    std::set<std::string> done;
    const auto parts = partsIn(partsFolder);
    if (!parts.empty() && !request.resume) {
        return makeError(ErrorCode::InvalidArgument, partsFolder.string() +
                                                         " holds the parts of an earlier run of this analysis: add --resume to finish "
                                                         "it, or remove the folder to start again");
    }
    for (const auto& part : parts) {
        auto contents = bundle::read(part);
        if (!contents.ok()) return contents.error();
        for (const auto& id : contents->dialogueOrder) done.insert(id);
        std::smatch match;
        const auto name = part.filename().string();
        if (std::regex_match(name, match, kPartName)) plan.attempt = std::max(plan.attempt, std::stoi(match[1]) + 1);
    }
    for (const auto* dialogue : cluster::longestFirst(chosen)) {
        if (done.count(dialogue->id)) {
            ++plan.alreadyDone;
        } else {
            plan.order.push_back(dialogue->id);
        }
    }
    return plan;
}

/// Rank 0 publishes its plan (or why it stopped); the others wait for it.
Result<Plan> sharePlan(cluster::KeyValueStore& store, const AnalysisRequest& request, const std::vector<const Dialogue*>& chosen,
                       const fs::path& partsFolder) {
    if (request.launch.rank == 0) {
        auto plan = planRun(request, chosen, partsFolder);
        const json published = plan.ok() ? json{{"attempt", plan->attempt}, {"order", plan->order}} : json{{"error", plan.error().message}};
        if (auto set = store.set("plan", published.dump()); !set.ok()) return set.error();
        if (!plan.ok()) {
            // The store ends with this process: the others read why before it goes.
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(request.connectTimeoutSec);
            while (std::chrono::steady_clock::now() < deadline) {
                auto read = store.add("plan-read", 0);
                if (!read.ok() || *read >= request.launch.world - 1) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        return plan;
    }
    auto text = store.get("plan", std::chrono::seconds(request.connectTimeoutSec));
    if (!text.ok()) return text.error();
    (void)store.add("plan-read", 1);
    const auto published = json::parse(*text, nullptr, false);
    if (published.contains("error"))
        return makeError(ErrorCode::InvalidArgument, "rank 0 stopped: " + published["error"].get<std::string>());
    Plan plan;
    plan.attempt = published.value("attempt", 1);
    plan.order = published.value("order", std::vector<std::string>{});
    return plan;
}

/// Rank 0, at the end: the parts into one bundle, and its lines for the results file.
Result<int> mergeParts(const AnalysisRequest& request, const std::vector<const Dialogue*>& chosen, const AnalyzeOptions& options, Task task,
                       const fs::path& partsFolder, const std::function<void(const json&)>& sink) {
    const fs::path merged = request.bundle.empty() ? partsFolder / "merged.egmfa" : fs::path(request.bundle);
    std::vector<std::string> order;
    for (const auto* dialogue : chosen) order.push_back(dialogue->id);
    if (auto joined = bundle::mergeRun(partsIn(partsFolder), order, merged); !joined.ok()) return joined.error();
    auto contents = bundle::read(merged);
    if (!contents.ok()) return contents.error();
    int failed = 0;
    for (const auto* dialogue : chosen) {
        const auto& result = contents->dialogues.at(dialogue->id);
        for (std::size_t i = 0; i < dialogue->utterances.size(); ++i) {
            const auto& input = dialogue->utterances[i];
            if (i < result.utterances.size()) {
                sink(utteranceJson(*dialogue, input, result.utterances[i], options, task));
                failed += !result.utterances[i].error.empty();
            } else {
                sink(failedUtteranceJson(*dialogue, input, "no result for this utterance (please report this)", task));
                ++failed;
            }
        }
    }
    std::error_code ec;
    for (const auto& part : partsIn(partsFolder)) fs::remove(part, ec);
    if (request.bundle.empty()) fs::remove(merged, ec);
    fs::remove(partsFolder, ec);  // only when empty: a user's own file there stays
    return failed;
}

}  // namespace

void addRankOptions(CLI::App& command, AnalysisRequest& request) {
    const char* group = "Several ranks (torchrun, srun, mpirun; docs/cluster.md)";
    command.add_option("--master-addr", request.overrides.masterAddr, "The host of rank 0's store (Open MPI sets none; else MASTER_ADDR)")
        ->group(group);
    command.add_option("--master-port", request.overrides.masterPort, "Its port (else MASTER_PORT, or one from the Slurm job)")
        ->check(CLI::Range(1, 65535))
        ->group(group);
    command.add_flag("--resume", request.resume, "Finish a run of several ranks that was cut short (its OUT.parts folder)")->group(group);
    command.add_option("--connect-timeout", request.connectTimeoutSec, "Seconds to reach the run's store")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str()
        ->group(group);
    command.add_option("--dead-after", request.deadAfterSec, "Seconds without a heartbeat after which a rank's work is taken over")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str()
        ->group(group);
}

Result<AnalysisSummary> runSharedAnalysis(const AnalysisRequest& request, const std::vector<const Dialogue*>& chosen, int utterances,
                                          const AnalyzeOptions& options, const std::function<void(const json&)>& sink) {
    const auto& launch = request.launch;
    const bool lead = launch.rank == 0;
    if (!request.server.empty()) {
        return makeError(ErrorCode::InvalidArgument,
                         "--server with " + std::to_string(launch.world) +
                             " ranks: each rank runs the model itself; leave --server out (or run one process against the server)");
    }
    const std::string target = !request.bundle.empty() ? request.bundle : request.out;
    if (target.empty() || target == "-") {
        return makeError(ErrorCode::InvalidArgument,
                         "a run of several ranks keeps their parts beside its output: give --bundle FILE or --out FILE");
    }
    const fs::path partsFolder = target + ".parts";
    const auto started = std::chrono::steady_clock::now();

    auto store = cluster::connectStore(launch, std::chrono::seconds(request.connectTimeoutSec));
    if (!store.ok()) return store.error();
    auto plan = sharePlan(**store, request, chosen, partsFolder);
    if (!plan.ok()) return plan.error();
    std::map<std::string, const Dialogue*> byId;
    for (const auto* dialogue : chosen) byId[dialogue->id] = dialogue;
    std::vector<const Dialogue*> order;
    for (const auto& id : plan->order) {
        const auto found = byId.find(id);
        if (found == byId.end()) {
            return makeError(ErrorCode::Mismatch, "rank 0 listed dialogue " + id + ", which this rank's " + request.dataset +
                                                      " lacks: every rank must read the same dataset with the same --split");
        }
        order.push_back(found->second);
    }
    if (lead && plan->alreadyDone > 0) {
        std::fprintf(stderr, "resuming: %d dialogues are in earlier parts, %zu to go (attempt %d)\n", plan->alreadyDone, order.size(),
                     plan->attempt);
    }

    // The heartbeat starts before the model loads, so a slow load is not taken for a death.
    cluster::SharedWork work(**store, {launch.rank, launch.world, std::chrono::seconds(1), std::chrono::seconds(request.deadAfterSec)},
                             static_cast<int>(order.size()));
    const auto giveUp = [&](const Error& error) -> Result<AnalysisSummary> {
        (void)work.finish();  // nobody waits for this rank any longer
        return error;
    };
    auto collector = std::make_shared<Collector>(options, nullptr, utterances, false);
    auto engine = makeEngine(request, collector);
    if (!engine.ok()) return giveUp(engine.error());
    const auto model = (*engine)->model();
    AnalysisSummary summary;
    summary.manifest = model->manifest;
    summary.device = model->device + ", " + launch.describe();
    collector->setTask(summary.manifest.task);
    if (lead) noteUnknownLabels(summary.manifest, chosen);

    auto identity = bundleIdentity(request, *model);
    identity.rank = launch.rank;
    identity.ranks = launch.world;
    std::error_code ec;
    fs::create_directories(partsFolder, ec);
    const auto partFile = partsFolder / ("attempt-" + std::to_string(plan->attempt) + "-rank-" + std::to_string(launch.rank) + ".egmfa");
    std::optional<bundle::Writer> part;
    if (auto created = bundle::Writer::create(partFile, identity); created.ok()) {
        part = std::move(*created);
    } else {
        return giveUp(created.error());
    }
    collector->setBundle(&*part);

    InterruptGuard interrupts;
    ProgressBar bar("analysing on " + std::to_string(launch.world) + " ranks", "dialogues");
    int mine = 0;
    std::size_t takenOver = 0;
    while (true) {
        auto item = work.next(InterruptGuard::interrupted);
        if (!item.ok()) return item.error();
        if (!*item || InterruptGuard::interrupted()) break;
        const Dialogue& dialogue = *order[static_cast<std::size_t>(**item)];
        if (work.takeovers().size() > takenOver) {
            takenOver = work.takeovers().size();
            std::fprintf(stderr, "note: rank %d takes over dialogue %s from rank %d (no heartbeat for %d s)\n", launch.rank,
                         dialogue.id.c_str(), work.takeovers().back().fromRank, request.deadAfterSec);
        }
        collector->expect(&dialogue);
        const auto job = (*engine)->submit(analysisJob(dialogue, options));
        if (!collector->waitForJobs(mine + 1, InterruptGuard::interrupted)) {
            (*engine)->cancel(job);
            break;
        }
        if (const auto error = collector->bundleError(); !error.empty()) return makeError(ErrorCode::Io, partFile.string() + ": " + error);
        ++mine;
        if (auto marked = work.done(**item); !marked.ok()) return marked.error();
        if (lead) {
            if (auto count = work.doneCount(); count.ok()) bar.update(*count, static_cast<double>(order.size()));
        }
    }
    bar.finish();
    summary.failed = collector->failed();
    summary.utterances = collector->finished();
    if (InterruptGuard::interrupted()) {
        summary.interrupted = true;
        summary.bundleError = "interrupted: the dialogues finished are in " + partsFolder.string() + "; --resume finishes the run";
        summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return summary;
    }
    if (auto finished = part->finish(mine); !finished.ok()) return finished.error();
    part.reset();  // the part is complete and closed
    if (auto finished = work.finish(); !finished.ok()) return finished.error();

    if (!lead) {
        summary.rankNote = launch.describe() + ": " + std::to_string(mine) + " dialogues -> " + partFile.string();
    } else {
        auto failed = mergeParts(request, chosen, options, summary.manifest.task, partsFolder, sink);
        if (!failed.ok()) return failed.error();
        summary.failed = *failed;
        summary.utterances = utterances;
        if (work.deadRanks() > 0) {
            std::fprintf(stderr, "note: %d rank(s) stopped answering; their unfinished dialogues were analysed by others\n",
                         work.deadRanks());
        }
        if (!request.bundle.empty()) {
            const auto bytes = fs::file_size(request.bundle, ec);
            if (!ec && utterances > 0) summary.bundleBytesPerUtterance = static_cast<double>(bytes) / utterances;
        }
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace egmf::cli
