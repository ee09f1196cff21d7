// egmf bench serve: the remote engine against the local one on localhost (egmf/bench/benchmarks.h).
#include <algorithm>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addServeBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("serve",
                                         "The remote engine (egmf serve) against the local one on localhost: latency per utterance, "
                                         "throughput with one and two clients");
    auto options = std::make_shared<ServeBenchOptions>();
    command->add_option("--utterances", options->utterances, "Utterances per dialogue")->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--repeats", options->repeats, "Timed dialogues each way")->check(CLI::Range(1, 1000))->capture_default_str();
    command->add_option("--threads", options->threads, "The engines' intra-op threads (0: every core)")->capture_default_str();
    command->add_option("--dialogues", options->dialoguesPerClient, "Dialogues per client in the throughput runs")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    command->add_option("--work-dir", options->workDir, "Keep the checkpoint and the server's files here");
    return [options]() {
        auto report = benchServe(*options);
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        const auto& r = *report;
        const double added = r.remoteMsPerUtterance - r.localMsPerUtterance;
        const double allowed = std::max(0.10 * r.localMsPerUtterance, 5.0);
        std::printf("egmf bench serve: %s\nmedians of %d dialogues each way, local and remote runs alternated\n\n", r.configuration.c_str(),
                    options->repeats);
        std::printf("%-34s %10.2f ms\n", "local engine, per utterance", r.localMsPerUtterance);
        std::printf("%-34s %10.2f ms  (%+.2f ms, %.3fx; goal: at most +%.2f ms) %s\n", "remote engine (TLS, localhost)",
                    r.remoteMsPerUtterance, added, r.remoteMsPerUtterance / r.localMsPerUtterance, allowed,
                    added <= allowed ? "ok" : "OVER");
        std::printf("%-34s %10.2f ms\n", "round trip (Health)", r.roundTripMs);
        std::printf("%-34s %10.3f dialogues/s\n", "one client", r.oneClientDialoguesPerSecond);
        std::printf("%-34s %10.3f dialogues/s (%.2fx one client)\n", "two clients at once", r.twoClientsDialoguesPerSecond,
                    r.twoClientsDialoguesPerSecond / r.oneClientDialoguesPerSecond);
        return 0;
    };
}

}  // namespace egmf::cli
