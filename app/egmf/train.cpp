// egmf train --dataset PATH --out DIR [--task erc|msa] [--config train.json] [--epochs N] [--seed N]
//            [--base-model HF_FOLDER] [--max-steps N]
//            [--llm-training full|lora] [--threads N] [--processes N] [--resume]
// Reads the dataset, extracts (or reuses) every clip's features, and trains a checkpoint
// (engine/src/train/trainer.h). Started by torchrun, srun or mpirun it is one rank of their run
// (egmf/app/launch_environment.h): the ranks meet at rank 0's store, rank 0 extracts the features
// the cache lacks while the others wait, and each rank takes a share of every batch. --processes N
// is the same on one machine: it starts N-1 more copies of itself with torchrun's variables.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "commands.h"
#include "egmf/app/feature_cache.h"
#include "egmf/app/launch_environment.h"
#include "egmf/app/process.h"
#include "egmf/app/rendezvous.h"
#include "egmf/app/trainer.h"
#include "egmf/dataset.h"
#include "progress_bar.h"

namespace egmf::cli {
namespace {

struct Options {
    std::string dataset, out, task, config, llmTraining, featureCache, baseModel, architecture, device = "auto", dtype = "float32";
    bool checkpointActivations = false;
    int epochs = 0, patience = 0, threads = 0, processes = 1, maxSteps = 0, connectTimeoutSec = 300;
    double bucketMegabytes = 25;
    std::uint64_t seed = 0;
    bool resume = false;
    cluster::LaunchOverrides overrides;
};

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
                             "--llm-training full: a Hugging Face base stays frozen and its LoRA adapter trains "
                             "(or nothing of it, with frozen); leave --llm-training out");
        }
        if (config.llmTraining != "frozen") config.llmTraining = "lora";
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
    command->add_option("--llm-training", o->llmTraining, "full | lora | frozen (nothing of the LLM trains)")
        ->check(CLI::IsMember({"full", "lora", "frozen"}));
    command->add_option("--threads", o->threads, "Intra-op threads per process (0: cores / processes)");
    command->add_option("--processes", o->processes, "Train with this many local processes (torch c10d, Gloo)")->check(CLI::Range(1, 64));
    command->add_option("--features-cache", o->featureCache, "Where clip features are kept (default ~/.cache/egmf-studio/features)");
    command->add_option("--base-model", o->baseModel,
                        "A Hugging Face model folder to start from (frozen; a LoRA adapter trains; "
                        "written in the Hugging Face layout)");
    command->add_option("--architecture", o->architecture, "egmf | merits-l (three stages, one process)")
        ->check(CLI::IsMember({"egmf", "merits-l"}));
    command->add_option("--max-steps", o->maxSteps, "Stop after this many optimizer steps")->check(CLI::PositiveNumber);
    command->add_option("--device", o->device, "auto | cpu | cuda (each rank its local rank's GPU) | cuda:N")->capture_default_str();
    command->add_option("--dtype", o->dtype, "float32 | bfloat16 (a --base-model kept in bfloat16, the passes under autocast)")
        ->check(CLI::IsMember({"float32", "bfloat16"}))
        ->capture_default_str();
    command->add_flag("--checkpoint-activations", o->checkpointActivations,
                      "Recompute each LLM layer in the backward pass instead of keeping its activations (on by default on CUDA)");
    command->add_flag("--resume", o->resume, "Continue an interrupted run from its last finished epoch (none yet: start)");
    const char* group = "Several ranks (torchrun, srun, mpirun; docs/cluster.md)";
    command->add_option("--master-addr", o->overrides.masterAddr, "The host of rank 0's store (Open MPI sets none; else MASTER_ADDR)")
        ->group(group);
    command->add_option("--master-port", o->overrides.masterPort, "Its port (else MASTER_PORT, or one from the Slurm job)")
        ->check(CLI::Range(1, 65535))
        ->group(group);
    command->add_option("--connect-timeout", o->connectTimeoutSec, "Seconds to reach the run's store")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str()
        ->group(group);
    command->add_option("--bucket-mb", o->bucketMegabytes, "Gradients are summed in buckets of this size, sent during the backward pass")
        ->check(CLI::Range(0.001, 4096.0))
        ->capture_default_str()
        ->group(group);
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
        auto launch = cluster::readLaunchEnvironment(cluster::processEnvironment(), o->overrides);
        if (!launch) {
            std::fprintf(stderr, "error: %s\n", launch.error().message.c_str());
            return 2;
        }
        const bool launcher = o->processes > 1 && !launch->distributed();
        if (launcher) {
            cluster::LaunchEnvironment local;
            local.launcher = "egmf --processes";
            local.world = o->processes;
            local.masterAddr = "127.0.0.1";
            local.masterPort = cluster::freeLocalPort();
            launch = local;
        }
        if (o->processes > 1 && !launcher) {
            std::fprintf(stderr, "error: --processes with %s: the launcher starts the ranks; leave --processes out\n",
                         launch->describe().c_str());
            return 2;
        }
        train::DistributedSetup distributed{launch->rank, launch->world, launch->localRank, nullptr, o->bucketMegabytes};
        if (launch->distributed()) {
            auto store = cluster::connectStore(*launch, std::chrono::seconds(o->connectTimeoutSec));
            if (!store) {
                std::fprintf(stderr, "error: %s\n", store.error().message.c_str());
                return 2;
            }
            distributed.store = std::move(*store);
        }
        const bool lead = distributed.rank == 0;
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        if (o->resume && !std::filesystem::exists(std::filesystem::path(o->out) / "training")) {
            // A finished run (its manifest has every epoch's record) is not trained again: a job
            // its launcher starts once more after the end is done at once.
            std::ifstream manifest(std::filesystem::path(o->out) / "manifest.json");
            const auto json = nlohmann::json::parse(manifest, nullptr, false);
            if (!json.is_discarded() && json.is_object() && json.value("provenance", nlohmann::json::object()).contains("epochs")) {
                if (lead) std::fprintf(stderr, "%s is trained already (--resume has nothing to do)\n", o->out.c_str());
                return 0;
            }
        }

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
        // Features: rank 0 (or a single process) extracts what the cache lacks while the others wait;
        // they then read the cache (a folder the nodes share), or extract themselves where they cannot.
        if (!lead) {
            auto ready = distributed.store->get("features-ready", std::chrono::hours(24));
            if (!ready || *ready != "ok") {
                std::fprintf(stderr, "error: %s\n",
                             ready ? "rank 0 could not prepare the features (its output says why)" : ready.error().message.c_str());
                return 2;
            }
        }
        ProgressBar featuresBar("features", "utterances");
        std::shared_ptr<FeatureSource> source;
#ifdef EGMF_WITH_MEDIA
        if (config->modalities.hasClipInput()) source = makeClipFeatureSource();  // a text-only model reads no clip
#endif
        auto features = train::fillDatasetFeatures(
            all, config->model, source.get(),
            o->featureCache.empty() ? train::defaultFeatureCacheFolder() : std::filesystem::path(o->featureCache),
            [&](int done, int total) {
                if (lead) featuresBar.update(done, total);
            });
        featuresBar.finish();
        if (lead && distributed.store) (void)distributed.store->set("features-ready", features ? "ok" : "failed");
        if (!features) {
            std::fprintf(stderr, "error: %s\n", features.error().message.c_str());
            return 2;
        }
        if (lead) {
            std::fprintf(stderr, "features: %d extracted, %d from the cache, %d clips failed (text only) -> %s\n", features->extracted,
                         features->fromCache, features->failed, features->cacheFile.c_str());
        }
        // The other ranks: copies of this command with torchrun's variables, as a launcher starts them.
        std::vector<std::thread> ranks;
        std::vector<ProcessOutcome> outcomes(static_cast<std::size_t>(distributed.world));
        if (launcher) {
            for (int r = 1; r < distributed.world; ++r) {
                std::vector<std::string> argv = {executablePath(),
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
                                                 "--features-cache",
                                                 std::string(features->cacheFile.parent_path().string())};
                if (!o->config.empty()) argv.insert(argv.end(), {"--config", o->config});
                if (!config->baseModel.empty()) argv.insert(argv.end(), {"--base-model", config->baseModel});
                if (config->maxSteps > 0) argv.insert(argv.end(), {"--max-steps", std::to_string(config->maxSteps)});
                if (o->resume) argv.push_back("--resume");
                if (o->threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(o->threads)});
                argv.insert(argv.end(), {"--bucket-mb", std::to_string(o->bucketMegabytes), "--device", o->device, "--dtype", o->dtype});
                if (o->checkpointActivations) argv.push_back("--checkpoint-activations");
                ranks.emplace_back([command = cluster::localRankCommand(r, distributed.world, launch->masterPort, argv), r, &outcomes] {
                    auto ran = runProcess(command);
                    outcomes[static_cast<std::size_t>(r)] = ran ? *ran : ProcessOutcome{-1, ran.error().message};
                });
            }
        }
        if (const auto state = train::lastTrainingState(o->out); lead && o->resume && !state.empty()) {
            std::fprintf(stderr, "resuming from %s\n", state.c_str());
        }
        ProgressBar bar("training", "steps");
        train::TrainRun run;
        run.config = *config;
        run.data = std::move(data);
        run.out = o->out;
        run.distributed = distributed;
        run.resume = o->resume;
        run.command = commandLine(*o, *config);
        run.threads = o->threads > 0 ? o->threads : std::max(1, cores / distributed.world);
        run.device = o->device;
        run.dtype = o->dtype;
        if (o->checkpointActivations) run.checkpointActivations = true;
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
                    distributed.world, o->out.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
