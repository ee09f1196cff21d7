// egmf bench engine: the background engine on real clips, 1 and 2 threads (egmf/bench/benchmarks.h).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addEngineBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("engine",
                                         "The background engine on clips made by ffmpeg + espeak-ng: dialogues/s, latency per utterance, "
                                         "submit to first result, with 1 and 2 threads");
    auto options = std::make_shared<EngineBenchOptions>();
    command->add_option("--utterances", options->utterances, "Utterances per dialogue")->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--repeats", options->repeats, "Timed runs per thread count")->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--seconds", options->clipSeconds, "Clip length")->check(CLI::Range(0.5, 60.0))->capture_default_str();
    command->add_option("--threads", options->threads, "Thread counts to measure")->capture_default_str();
    command->add_option("--work-dir", options->workDir, "Keep the checkpoint and clips here");
    return [options]() {
        auto report = benchEngine(*options);
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        const auto& r = *report;
        std::printf("egmf bench engine: %s\n%d utterances of %.1f s per dialogue, %d timed runs, medians, features decoded afresh\n\n",
                    r.configuration.c_str(), r.utterances, r.clipSeconds, options->repeats);
        std::printf("%7s %12s %14s %12s %10s %16s %14s\n", "threads", "dialogues/s", "ms/utterance", "features ms", "model ms",
                    "first result ms", "real time x");
        for (const auto& row : r.rows) {
            std::printf("%7d %12.3f %14.1f %12.1f %10.1f %16.1f %14.1f\n", row.threads, row.dialoguesPerSecond, row.utteranceMs,
                        row.featuresMs, row.modelMs, row.firstResultMs, r.clipSeconds * 1000.0 / row.firstResultMs);
        }
        std::printf(
            "\nfirst result = submit -> result of one utterance (decode + features + model); goal <= %.0f ms (a tenth "
            "of the clip)\n",
            r.clipSeconds * 100.0);
        return 0;
    };
}

}  // namespace egmf::cli
