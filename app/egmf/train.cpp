// egmf train --dataset PATH --out DIR [--task erc|msa] [--config train.json] [--epochs N] [--seed N]
//            [--base-model HF_FOLDER] [--max-steps N]
//            [--llm-training full|lora] [--threads N] [--processes N] [--resume]
// Reads the dataset, extracts (or reuses) every clip's features, and trains a checkpoint
// (engine/src/train/trainer.h). --processes N starts N-1 more copies of itself as the other ranks
// of a torch c10d group on 127.0.0.1 (each takes a share of every batch).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "commands.h"
#include "egmf/app/feature_cache.h"
#include "egmf/app/process.h"
#include "egmf/app/trainer.h"
#include "egmf/dataset.h"
#include "progress_bar.h"

namespace egmf::cli {
namespace {

struct Options {
    std::string dataset, out, task, config, llmTraining, featureCache, baseModel, architecture;
    int epochs = 0, patience = 0, threads = 0, processes = 1, maxSteps = 0;
    std::uint64_t seed = 0;
    bool resume = false;
    train::DistributedSetup distributed;
};

/// A TCP port nobody uses now, for the c10d store.
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 29511;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    if (fd >= 0) ::close(fd);
    return port;
}

Result<train::TrainConfig> configFrom(const Options& o) {
    train::TrainConfig config;
    if (!o.config.empty()) {
        std::ifstream in(o.config);
        const auto json = nlohmann::json::parse(in, nullptr, false);
        if (!in.good() && !in.eof()) return makeError(ErrorCode::NotFound, o.config + ": cannot read the training configuration");
        if (json.is_discarded() || !json.is_object()) return makeError(ErrorCode::Corrupt, o.config + ": not a JSON object");
        auto parsed = train::TrainConfig::fromJson(json, o.config);
        if (!parsed) return parsed.error();
        config = *parsed;
    }
    if (!o.task.empty()) config.task = o.task;
    if (o.epochs > 0) config.epochs = o.epochs;
    if (o.patience > 0) config.patience = o.patience;
    if (o.seed > 0) config.seed = o.seed;
    if (!o.llmTraining.empty()) config.llmTraining = o.llmTraining;
    if (!o.baseModel.empty()) config.baseModel = o.baseModel;
    if (!o.architecture.empty()) config.architecture = o.architecture;
    if (!config.baseModel.empty() && config.architecture == "egmf") {
        if (o.llmTraining == "full") {
            return makeError(ErrorCode::InvalidArgument,
                             "--llm-training full: a Hugging Face base stays frozen and its LoRA adapter trains; "
                             "leave --llm-training out");
        }
        config.llmTraining = "lora";
    }
    if (o.maxSteps > 0) config.maxSteps = o.maxSteps;
    auto checked = train::TrainConfig::fromJson(config.toJson(), o.config.empty() ? "the training flags" : o.config);
    if (checked) checked->model = checked->modelManifest();
    return checked;
}

std::string commandLine(const Options& o, const train::TrainConfig& config) {
    std::string command = "egmf train --dataset " + o.dataset + " --out " + o.out + " --task " + config.task + " --seed " +
                          std::to_string(config.seed) + " --epochs " + std::to_string(config.epochs);
    if (!o.config.empty()) command += " --config " + o.config;
    if (config.architecture != "egmf") command += " --architecture " + config.architecture;
    if (!config.baseModel.empty()) command += " --base-model " + config.baseModel;
    if (config.maxSteps > 0) command += " --max-steps " + std::to_string(config.maxSteps);
    if (o.processes > 1) command += " --processes " + std::to_string(o.processes);
    return command;
}

}  // namespace

Command addTrainCommand(CLI::App& app) {
    auto* command = app.add_subcommand("train", "Train an EGMF checkpoint on a dataset (the demo corpus: the bundled checkpoints)");
    auto o = std::make_shared<Options>();
    command->add_option("--dataset", o->dataset, "A MELD-layout folder (e.g. from egmf make-demo), MMSA folder or manifest CSV")
        ->required();
    command->add_option("--out", o->out, "The checkpoint folder to write")->required();
    command->add_option("--task", o->task, "erc (labels) | msa (SentimentScore)")->check(CLI::IsMember({"erc", "msa"}));
    command->add_option("--config", o->config, "A JSON file of training settings (train_config.h); flags override it");
    command->add_option("--epochs", o->epochs, "Most epochs");
    command->add_option("--patience", o->patience, "Stop after this many epochs without a better dev score");
    command->add_option("--seed", o->seed, "Seed of initialisation, order and modality dropout");
    command->add_option("--llm-training", o->llmTraining, "full | lora")->check(CLI::IsMember({"full", "lora"}));
    command->add_option("--threads", o->threads, "Intra-op threads per process (0: cores / processes)");
    command->add_option("--processes", o->processes, "Train with this many local processes (torch c10d, Gloo)")->check(CLI::Range(1, 64));
    command->add_option("--features-cache", o->featureCache, "Where clip features are kept (default ~/.cache/egmf-studio/features)");
    command->add_option("--base-model", o->baseModel,
                        "A Hugging Face model folder to start from (frozen; a LoRA adapter trains; "
                        "written in the Hugging Face layout)");
    command->add_option("--architecture", o->architecture, "egmf | merits-l (three stages, one process)")
        ->check(CLI::IsMember({"egmf", "merits-l"}));
    command->add_option("--max-steps", o->maxSteps, "Stop after this many optimizer steps")->check(CLI::PositiveNumber);
    command->add_flag("--resume", o->resume, "Continue an interrupted run from its last finished epoch");
    // Set by --processes for the ranks it starts; not for users.
    command->add_option("--rank", o->distributed.rank)->group("");
    command->add_option("--world", o->distributed.world)->group("");
    command->add_option("--port", o->distributed.port)->group("");
    return [o]() {
        auto config = configFrom(*o);
        if (!config) {
            std::fprintf(stderr, "error: %s\n", config.error().message.c_str());
            return 2;
        }
        if (config->architecture == "merits-l" && (o->processes > 1 || o->resume)) {
            std::fprintf(stderr,
                         "error: MERITS-L trains in one process and does not resume (its stages take a minute); "
                         "leave --processes and --resume out\n");
            return 2;
        }
        const bool launcher = o->processes > 1 && o->distributed.world == 1;
        if (launcher) o->distributed = {0, o->processes, "127.0.0.1", freePort()};
        const bool lead = o->distributed.rank == 0;
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

        auto dataset = readDataset(o->dataset);
        if (!dataset) {
            std::fprintf(stderr, "error: %s\n", dataset.error().message.c_str());
            return 2;
        }
        train::TrainingData data;
        data.source = o->dataset;
        data.labels = dataset->labels;
        if (std::ifstream demo(std::filesystem::path(o->dataset) / "demo.json"); demo) {
            data.details = nlohmann::json::parse(demo, nullptr, false);  // the corpus seed, for regenerating it
            if (data.details.is_discarded()) data.details = nullptr;
        }
        std::vector<Dialogue*> all;
        for (auto& d : dataset->dialogues) {
            auto& split = d.split == "test" ? data.test : d.split == "dev" ? data.dev : data.train;
            split.push_back(d);
        }
        for (auto* split : {&data.train, &data.dev, &data.test}) {
            for (auto& d : *split) all.push_back(&d);
        }
        // Features: rank 0 (or a single process) extracts what the cache lacks; ranks it starts read the cache.
        ProgressBar featuresBar("features", "utterances");
        std::shared_ptr<FeatureSource> source;
#ifdef EGMF_WITH_MEDIA
        if (lead && config->modalities.hasClipInput()) source = makeClipFeatureSource();  // a text-only model reads no clip
#endif
        auto features = train::fillDatasetFeatures(
            all, config->model, source.get(),
            o->featureCache.empty() ? train::defaultFeatureCacheFolder() : std::filesystem::path(o->featureCache),
            [&](int done, int total) {
                if (lead) featuresBar.update(done, total);
            });
        featuresBar.finish();
        if (!features) {
            std::fprintf(stderr, "error: %s\n", features.error().message.c_str());
            return 2;
        }
        if (lead) {
            std::fprintf(stderr, "features: %d extracted, %d from the cache, %d clips failed (text only) -> %s\n", features->extracted,
                         features->fromCache, features->failed, features->cacheFile.c_str());
        }
        // The other ranks: copies of this command with their rank.
        std::vector<std::thread> ranks;
        std::vector<ProcessOutcome> outcomes(static_cast<std::size_t>(o->distributed.world));
        if (launcher) {
            for (int r = 1; r < o->distributed.world; ++r) {
                std::vector<std::string> argv = {"/proc/self/exe",
                                                 "train",
                                                 "--dataset",
                                                 o->dataset,
                                                 "--out",
                                                 o->out,
                                                 "--task",
                                                 config->task,
                                                 "--seed",
                                                 std::to_string(config->seed),
                                                 "--epochs",
                                                 std::to_string(config->epochs),
                                                 "--patience",
                                                 std::to_string(config->patience),
                                                 "--llm-training",
                                                 config->llmTraining,
                                                 "--rank",
                                                 std::to_string(r),
                                                 "--world",
                                                 std::to_string(o->distributed.world),
                                                 "--port",
                                                 std::to_string(o->distributed.port),
                                                 "--features-cache",
                                                 std::string(features->cacheFile.parent_path().string())};
                if (!o->config.empty()) argv.insert(argv.end(), {"--config", o->config});
                if (!config->baseModel.empty()) argv.insert(argv.end(), {"--base-model", config->baseModel});
                if (config->maxSteps > 0) argv.insert(argv.end(), {"--max-steps", std::to_string(config->maxSteps)});
                if (o->resume) argv.push_back("--resume");
                if (o->threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(o->threads)});
                ranks.emplace_back([argv, r, &outcomes] {
                    auto ran = runProcess(argv);
                    outcomes[static_cast<std::size_t>(r)] = ran ? *ran : ProcessOutcome{-1, ran.error().message};
                });
            }
        }
        ProgressBar bar("training", "steps");
        train::TrainRun run{
            *config,   std::move(data),          o->out, o->distributed,
            o->resume, commandLine(*o, *config), {},     o->threads > 0 ? o->threads : std::max(1, cores / o->distributed.world)};
        run.progress = [&](const train::TrainEvent& e) {
            if (!lead) return;
            if (e.phase == "train") {
                bar.update((e.epoch - 1) * e.steps + e.step, static_cast<double>(e.epochs) * e.steps);
            } else if (e.phase == "epoch") {
                bar.finish();
                std::fprintf(stderr, "epoch %d/%d: train loss %.4f, dev score %.4f\n", e.epoch, e.epochs, e.loss, e.devScore);
            }
        };
        auto report = train::runTraining(run);
        bar.finish();
        for (auto& rank : ranks) rank.join();
        for (std::size_t r = 1; r < outcomes.size() && launcher; ++r) {
            if (outcomes[r].exitCode != 0) {
                std::fprintf(stderr, "error: training rank %zu failed:\n%s\n", r, outcomes[r].output.c_str());
                return 1;
            }
        }
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        if (!lead) return 0;
        for (const auto& e : report->epochs) {
            std::printf("epoch %2d  train loss %.4f  dev %s %.4f  %.1f s  %.1f utterances/s\n", e.epoch, e.trainLoss,
                        config->task == "erc" ? "weighted F1" : "-MAE", e.devScore, e.seconds, e.utterancesPerSecond);
        }
        const auto summary = [&](const nlohmann::json& m) {
            if (m.is_null()) return std::string("-");
            char text[160];
            if (config->task == "erc") {
                std::snprintf(text, sizeof text, "accuracy %.4f, weighted F1 %.4f", m.value("accuracy", 0.0), m.value("weighted_f1", 0.0));
            } else {
                std::snprintf(text, sizeof text, "MAE %.4f, Pearson %s", m.value("mae", 0.0), m["pearson"].dump().c_str());
            }
            return std::string(text);
        };
        std::printf("best epoch %d; dev %s; test %s\n%.1f s, %.1f training utterances/s with %d process(es) -> %s\n", report->bestEpoch,
                    summary(report->dev).c_str(), summary(report->test).c_str(), report->seconds, report->utterancesPerSecond,
                    o->distributed.world, o->out.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
