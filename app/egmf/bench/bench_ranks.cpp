// egmf bench ranks: one rank against two, as a launcher starts them (docs/cluster.md): analysis
// dialogues per second over the demo test split (or --dataset) with `egmf analyze`, and training
// steps per second with `egmf train`, both with one thread per rank; runs alternate, medians.
// Each run is this program started again, as a user starts it, so the figures include what a
// rank pays for itself (loading the checkpoint, meeting at the store, merging).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "commands.h"
#include "egmf/app/launch_environment.h"
#include "egmf/app/process.h"
#include "egmf/app/text_corpus.h"
#include "egmf/dataset.h"
#include "egmf/paths.h"

namespace egmf::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
    std::string dataset, checkpoint, workDir;
    int repeats = 3;
    int trainDialogues = 64;
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

/// Runs `ranks` copies of `arguments` at once with torchrun's variables (one: none); seconds of
/// wall time, or an error with the output of the rank that failed.
Result<std::pair<double, std::string>> runRanks(int ranks, const std::vector<std::string>& arguments) {
    const int port = cluster::freeLocalPort();
    std::vector<ProcessOutcome> outcomes(static_cast<std::size_t>(ranks));
    std::vector<std::thread> threads;
    const auto started = std::chrono::steady_clock::now();
    for (int r = 0; r < ranks; ++r) {
        std::vector<std::string> argv = {executablePath()};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        if (ranks > 1) argv = cluster::localRankCommand(r, ranks, port, argv);
        threads.emplace_back([argv, r, &outcomes] {
            auto ran = runProcess(argv);
            outcomes[static_cast<std::size_t>(r)] = ran ? *ran : ProcessOutcome{-1, ran.error().message};
        });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (const auto& outcome : outcomes) {
        if (outcome.exitCode != 0) return makeError(ErrorCode::Internal, "a rank failed:\n" + outcome.output);
    }
    return std::pair(seconds, outcomes.front().output);
}

int run(const Options& o) {
    const fs::path work =
        o.workDir.empty() ? fs::temp_directory_path() / ("egmf-bench-ranks-" + std::to_string(::getpid())) : fs::path(o.workDir);
    fs::create_directories(work);
    std::string dataset = o.dataset;
    if (dataset.empty()) {
        dataset = (work / "demo").string();
        if (!fs::exists(work / "demo" / "test_sent_emo.csv")) {
            std::fprintf(stderr, "rendering the demo test split into %s ...\n", dataset.c_str());
            auto made = runProcess({executablePath(), "make-demo", "--out", dataset, "--split", "test"});
            if (!made || made->exitCode != 0) {
                std::fprintf(stderr, "error: make-demo failed:\n%s\n", made ? made->output.c_str() : made.error().message.c_str());
                return 2;
            }
        }
    }
    const std::string checkpoint = o.checkpoint.empty() ? (shareDir() / "checkpoints" / "demo-erc").string() : o.checkpoint;
    auto read = readDataset(dataset);
    if (!read) {
        std::fprintf(stderr, "error: %s\n", read.error().message.c_str());
        return 2;
    }
    int dialogues = 0, utterances = 0;
    for (const auto& d : read->dialogues) {
        if (d.split == "test" || o.dataset.empty()) ++dialogues, utterances += static_cast<int>(d.utterances.size());
    }
    if (auto written = demo::writeTextCorpus(work / "train-data", o.trainDialogues, 2); !written) {
        std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
        return 2;
    }

    std::vector<double> analysis[2], training[2];
    const std::regex rate(R"(([0-9.]+) training utterances/s)");
    for (int repeat = 0; repeat < o.repeats; ++repeat) {
        for (int ranks : {1, 2}) {
            const auto tag = std::to_string(ranks) + "-" + std::to_string(repeat);
            removeTree(work / ("a" + tag + ".egmfa"));
            auto analysed =
                runRanks(ranks, {"analyze", "--checkpoint", checkpoint, "--dataset", dataset, "--split", "test", "--threads", "1", "--out",
                                 (work / ("a" + tag + ".jsonl")).string(), "--bundle", (work / ("a" + tag + ".egmfa")).string()});
            if (!analysed) {
                std::fprintf(stderr, "error: analysis on %d rank(s): %s\n", ranks, analysed.error().message.c_str());
                return 2;
            }
            analysis[ranks - 1].push_back(dialogues / analysed->first);
            removeTree(work / ("t" + tag));
            auto trained =
                runRanks(1, {"train", "--dataset", (work / "train-data").string(), "--out", (work / ("t" + tag)).string(), "--config",
                             (work / "train-data" / "config.json").string(), "--features-cache", (work / "features").string(), "--epochs",
                             "1", "--threads", "1", "--processes", std::to_string(ranks)});
            if (!trained) {
                std::fprintf(stderr, "error: training on %d rank(s): %s\n", ranks, trained.error().message.c_str());
                return 2;
            }
            std::smatch match;
            if (!std::regex_search(trained->second, match, rate)) {
                std::fprintf(stderr, "error: egmf train printed no rate:\n%s\n", trained->second.c_str());
                return 2;
            }
            training[ranks - 1].push_back(std::stod(match[1]) / 20.0);  // 4 dialogues of 5 utterances a step
        }
    }
    std::printf("egmf bench ranks: %s (%d dialogues, %d utterances) with %s; training: %d text-only dialogues, 4 a step\n", dataset.c_str(),
                dialogues, utterances, fs::path(checkpoint).filename().c_str(), o.trainDialogues);
    std::printf("one thread per rank, %u cores; medians of %d runs, 1 and 2 ranks alternated\n\n", std::thread::hardware_concurrency(),
                o.repeats);
    const double a1 = median(analysis[0]), a2 = median(analysis[1]), t1 = median(training[0]), t2 = median(training[1]);
    std::printf("%-30s %8.3f dialogues/s  (wall time: start, load, analyse, merge)\n", "analysis, 1 rank", a1);
    std::printf("%-30s %8.3f dialogues/s  (%.2fx)\n", "analysis, 2 ranks", a2, a2 / a1);
    std::printf("%-30s %8.3f steps/s      (the training loop)\n", "training, 1 rank", t1);
    std::printf("%-30s %8.3f steps/s      (%.2fx)\n", "training, 2 ranks", t2, t2 / t1);
    if (o.workDir.empty()) removeTree(work);
    return 0;
}

}  // namespace

Command addRanksBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("ranks", "One rank against two (torchrun's variables): analysis dialogues/s, training steps/s");
    auto o = std::make_shared<Options>();
    command->add_option("--dataset", o->dataset, "A dataset with a test split (default: the demo's, rendered)");
    command->add_option("--checkpoint", o->checkpoint, "The checkpoint to analyse with (default: the bundled demo-erc)");
    command->add_option("--repeats", o->repeats, "Runs of each")->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--train-dialogues", o->trainDialogues, "Training dialogues")->check(CLI::Range(4, 10000))->capture_default_str();
    command->add_option("--work-dir", o->workDir, "Keep the rendered corpus and the runs' files here");
    return [o]() { return run(*o); };
}

}  // namespace egmf::cli
