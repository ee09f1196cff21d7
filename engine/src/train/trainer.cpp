#include "egmf/app/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>

#include <ATen/Context.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include "core/clock.h"
#include "dialogue_loss.h"
#include "distributed.h"
#include "egmf/paths.h"
#include "evaluation.h"
#include "loading/weights.h"
#include "merits_trainer.h"
#include "mixed_precision.h"
#include "model/llm/lora_linear.h"
#include "schedule.h"
#include "tokenizer_training.h"
#include "trained_weights.h"
#include "training_device.h"
#include "training_state.h"

namespace egmf::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

int goldCount(const Manifest& manifest, const Dialogue& dialogue) {
    int n = 0;
    for (const auto& u : dialogue.utterances) n += goldAnswer(manifest, u).has_value();
    return n;
}

json splitCounts(const Manifest& manifest, const std::vector<Dialogue>& dialogues) {
    int utterances = 0, gold = 0;
    for (const auto& d : dialogues) utterances += static_cast<int>(d.utterances.size()), gold += goldCount(manifest, d);
    return {{"dialogues", dialogues.size()}, {"utterances", utterances}, {"with_gold", gold}};
}

/// Everything a resumed run needs besides weights and optimizer.
struct Progress {
    int nextEpoch = 0, bestEpoch = -1, epochsWithoutGain = 0;
    double bestScore = -1e300;
    std::vector<EpochRecord> records;
};

json recordsJson(const std::vector<EpochRecord>& records) {
    json out = json::array();
    for (const auto& r : records) {
        out.push_back({{"epoch", r.epoch},
                       {"train_loss", r.trainLoss},
                       {"dev_score", r.devScore},
                       {"seconds", r.seconds},
                       {"utterances_per_second", r.utterancesPerSecond}});
    }
    return out;
}

Result<void> writeManifest(const fs::path& folder, Manifest manifest, const json& provenance) {
    manifest.provenanceJson = provenance.dump();
    std::ofstream out(folder / "manifest.json");
    out << serializeManifest(manifest);
    if (!out) return makeError(ErrorCode::Io, (folder / "manifest.json").string() + ": cannot write; check the disk");
    return {};
}

}  // namespace

namespace {

/// `config` with its class weights from the training labels when it asks for them.
TrainConfig withClassWeights(TrainConfig config, const std::vector<Dialogue>& train) {
    if (config.classWeighting != "inverse_sqrt") return config;
    std::map<std::string, double> counts;
    double total = 0;
    for (const auto& dialogue : train) {
        for (const auto& u : dialogue.utterances) {
            if (!u.goldLabel) continue;
            ++counts[*u.goldLabel];
            ++total;
        }
    }
    double mean = 0;
    for (const auto& [label, n] : counts) {
        config.classWeights[label] = std::sqrt(total / (static_cast<double>(counts.size()) * n));
        mean += n * config.classWeights[label];
    }
    for (auto& [label, weight] : config.classWeights) weight *= total / mean;  // an utterance weighs 1 on average
    return config;
}

}  // namespace

Result<TrainReport> runTraining(const TrainRun& run) {
    const auto started = Clock::now();
    if (run.threads > 0) at::set_num_threads(run.threads);
    // Debian LibTorch 1.13's oneDNN (mkldnn) conv1d backward gives garbage weight gradients on
    // these CPUs (norms from 4e5 to 5e29, varying run to run, for the same step; 3.5 and
    // repeatable without it). Its forward is right, so only training turns it off.
    at::globalContext().setUserEnabledMkldnn(false);
    if (run.config.architecture == "merits-l") return runMeritsTraining(run);
    const auto& data = run.data;
    const TrainConfig config = withClassWeights(run.config, data.train);
    auto device = trainingDevice(run.device, run.distributed.localRank);
    if (!device) return device.error();
    auto collective = Collective::connect(run.distributed, *device);
    if (!collective) return collective.error();
    auto& group = **collective;
    const bool lead = group.rank() == 0;
    const auto barrier = [&] {
        std::vector<at::Tensor> token{at::zeros({1})};
        group.allreduceSum(token);
    };
    if (data.train.empty()) return makeError(ErrorCode::InvalidArgument, data.source + ": no training dialogues");
    std::error_code ec;
    fs::create_directories(run.out / "training", ec);
    if (ec) return makeError(ErrorCode::Io, run.out.string() + ": cannot create (" + ec.message() + "); choose another --out");

    // The manifest: the configured shape, this task, and a tokenizer trained on the training text.
    Manifest manifest = config.model;
    manifest.task = config.task == "erc" ? Task::Classification : Task::Regression;
    manifest.labels = manifest.task == Task::Classification ? data.labels : std::vector<std::string>{};
    manifest.prompt.templateText = manifest.task == Task::Classification ? defaultClassificationTemplate() : defaultRegressionTemplate();
    if (manifest.task == Task::Classification && manifest.labels.empty()) {
        return makeError(ErrorCode::InvalidArgument, data.source + ": the dataset names no labels for an ERC checkpoint");
    }
    // From a Hugging Face model: its tokenizer and config, its LLM frozen (LoRA trains). Otherwise
    // the tiny demo LLM with a SentencePiece tokenizer trained on the training text.
    const bool fromBase = !config.baseModel.empty();
    if (config.llmTraining == "frozen" && !fromBase) {
        return makeError(ErrorCode::InvalidArgument,
                         "llm_training frozen keeps a pretrained LLM as it is: name it with --base-model (or base_model)");
    }
    // A base trains a LoRA adapter, or nothing with llm_training "frozen".
    const std::string llmTraining = fromBase && config.llmTraining != "frozen" ? "lora" : config.llmTraining;
    if (fromBase) {
        if (auto used = useHuggingFaceBase(manifest, config.baseModel, llmTraining == "lora"); !used) return used.error();
    } else if (lead && !(run.resume && fs::exists(run.out / "tokenizer.model"))) {
        auto vocab = trainTokenizer(run.out, data.train, manifest, config.vocabSize);
        if (!vocab) return vocab.error();
    }
    barrier();  // the other ranks read the tokenizer rank 0 wrote
    // The base's tokenizer (checked against its vocabulary), or the one just trained, whose size
    // the LLM's vocabulary then takes.
    auto tokenizer =
        fromBase ? tokenizer::makeCheckpointTokenizer(manifest, run.out) : tokenizer::loadTokenizerFile(run.out / "tokenizer.model");
    if (!tokenizer) return tokenizer.error();
    if (!fromBase) {
        manifest.tokenizer = {"sentencepiece", "tokenizer.model"};
        manifest.llm.vocabSize = (*tokenizer)->vocabSize();
        manifest.llm.bosTokenId = 1;  // spm_train's defaults: unk 0, bos 1, eos 2
        manifest.llm.eosTokenId = 2;
    }

    at::manual_seed(static_cast<std::int64_t>(config.seed));
    std::optional<model::DeferredBaseWeights> deferred;
    if (fromBase) deferred.emplace();  // the base's weights are mapped from its files below
    model::Egmf model(manifest);
    deferred.reset();
    const bool bfloat16 = run.dtype == "bfloat16";
    if (bfloat16 && !fromBase) {
        return makeError(ErrorCode::InvalidArgument,
                         "--dtype bfloat16 keeps a Hugging Face base's frozen weights in bfloat16; without --base-model "
                         "everything trains, in float32: leave --dtype out");
    }
    if (fromBase) {
        if (bfloat16) keepBaseInBfloat16(*model, *device);
        if (auto loaded = loadBaseWeights(*model, manifest); !loaded) return loaded.error();
    }
    model->llm->limitVocabulary((*tokenizer)->vocabSize());  // as the analyzer scores: no padding row counts
    model->train();
    model->llm->setActivationCheckpointing(run.checkpointActivations.value_or(device->is_cuda()));
    if (!device->is_cpu()) model->to(*device);
    if (llmTraining == "full") {
        // An LLM trained from scratch starts as Hugging Face initialises Llama (initializer_range
        // 0.02): LibTorch's N(0, 1) embeddings, tied to the output, give logits in the hundreds.
        at::NoGradGuard noGrad;
        for (auto& item : model->llm->named_parameters(true)) {
            if (item.key().find("norm") != std::string::npos)
                item.value().fill_(1.0);
            else if (item.key().find(".bias") != std::string::npos)
                item.value().zero_();
            else if (item.key().find("lora_B") == std::string::npos)
                item.value().normal_(0.0, 0.02);
        }
    }
    // Four groups: fusion / LLM learning rates, each with weight decay on matrices only (norms,
    // biases and 1-d parameters are not decayed, as is usual for transformers).
    std::vector<at::Tensor> byGroup[4], trained;
    for (auto& item : model->named_parameters(true)) {
        const bool inLlm = item.key().rfind("llm.", 0) == 0;
        if (inLlm && llmTraining != "full" && item.key().find(".lora_") == std::string::npos) {
            item.value().requires_grad_(false);
            continue;
        }
        const bool decayed = item.value().dim() >= 2 && item.key().find("norm") == std::string::npos;
        byGroup[(inLlm ? 2 : 0) + (decayed ? 0 : 1)].push_back(item.value());
        trained.push_back(item.value());
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    std::vector<double> baseRates;
    for (int g = 0; g < 4; ++g) {
        if (byGroup[g].empty()) continue;
        const double rate = g < 2 ? config.learningRate : config.llmLearningRate;
        auto options = std::make_unique<torch::optim::AdamWOptions>(rate);
        options->weight_decay(g % 2 == 0 ? config.weightDecay : 0.0);
        groups.emplace_back(byGroup[g], std::move(options));
        baseRates.push_back(rate);
    }
    torch::optim::AdamW optimizer(std::move(groups), torch::optim::AdamWOptions(config.learningRate));
    GradientSync gradients(group, trained, static_cast<std::size_t>(run.distributed.bucketMegabytes * (1 << 20)));
    BfloatAutocast autocast(*device, bfloat16);

    Progress progress;
    const auto stateFolder = lastTrainingState(run.out);
    const auto stateFile = stateFolder / "state.json";
    if (run.resume && !stateFolder.empty()) {
        std::ifstream in(stateFile);
        const auto state = json::parse(in, nullptr, false);
        if (state.is_discarded() || !state.contains("next_epoch")) {
            return makeError(ErrorCode::Corrupt, stateFile.string() + ": not a training state; delete the training folder to start again");
        }
        if (auto loaded = loadStateWeights(*model, manifest, stateFolder / "weights.safetensors"); !loaded) return loaded.error();
        try {
            torch::load(optimizer, (stateFolder / "optimizer.pt").string());
            moveOptimizerState(optimizer, *device);
        } catch (const std::exception& e) {
            return makeError(ErrorCode::Corrupt, (stateFolder / "optimizer.pt").string() + ": " + exceptionText(e));
        }
        progress.nextEpoch = state["next_epoch"].get<int>();
        progress.bestEpoch = state.value("best_epoch", -1);
        progress.bestScore = state.value("best_score", -1e300);
        progress.epochsWithoutGain = state.value("epochs_without_gain", 0);
        for (const auto& r : state.value("records", json::array())) {
            progress.records.push_back({r.value("epoch", 0), r.value("train_loss", 0.0), r.value("dev_score", 0.0), r.value("seconds", 0.0),
                                        r.value("utterances_per_second", 0.0)});
        }
    }

    runtime::EgmfRunner runner(*model, **tokenizer);
    const int perStep = config.dialoguesPerStep;
    const auto stepsPerEpoch =
        static_cast<std::int64_t>((data.train.size() + static_cast<std::size_t>(perStep) - 1) / static_cast<std::size_t>(perStep));
    const auto totalSteps =
        config.maxSteps > 0 ? std::min<std::int64_t>(config.maxSteps, stepsPerEpoch * config.epochs) : stepsPerEpoch * config.epochs;
    const auto warmup = std::max<std::int64_t>(1, std::llround(config.warmupFraction * static_cast<double>(totalSteps)));
    json provenance = {{"trainer", "egmf train"},
                       {"command", run.command},
                       {"seed", config.seed},
                       {"config", config.toJson()},
                       {"processes", group.world()},
                       {"device", device->str()},
                       {"dtype", run.dtype},
                       {"gradient_buckets", gradients.buckets()},
                       {"data",
                        {{"source", data.source},
                         {"details", data.details},
                         {"train", splitCounts(manifest, data.train)},
                         {"dev", splitCounts(manifest, data.dev)},
                         {"test", splitCounts(manifest, data.test)}}}};
    double trainedUtterances = 0, trainingSeconds = 0;

    for (int epoch = progress.nextEpoch; epoch < config.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        std::vector<std::size_t> order(data.train.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937_64(config.seed * 7777 + static_cast<std::uint64_t>(epoch)));
        double lossSum = 0, lossCount = 0;
        int skippedDialogues = 0, skippedSteps = 0;
        for (std::int64_t step = 0; step < stepsPerEpoch && epoch * stepsPerEpoch + step < totalSteps; ++step) {
            const auto begin = static_cast<std::size_t>(step * perStep),
                       end = std::min(order.size(), begin + static_cast<std::size_t>(perStep));
            int globalGold = 0;
            for (auto k = begin; k < end; ++k) globalGold += goldCount(manifest, data.train[order[k]]);
            optimizer.zero_grad();
            double stepLoss = 0;
            std::size_t lastOfMine = end;  // this rank's last dialogue of the step: its backward pass sends buckets early
            for (auto k = begin; k < end; ++k) {
                if (static_cast<int>((k - begin) % static_cast<std::size_t>(group.world())) == group.rank()) lastOfMine = k;
            }
            for (auto k = begin; k < end; ++k) {
                if (static_cast<int>((k - begin) % static_cast<std::size_t>(group.world())) != group.rank()) continue;
                const DropoutDraw draw{config.seed, epoch, static_cast<std::int64_t>(order[k])};
                auto loss = dialogueLoss(*model, runner, data.train[order[k]], config, &draw);
                if (loss.utterances == 0 || globalGold == 0) continue;
                const double value = loss.sum.item<double>();
                if (!std::isfinite(value)) {  // never let one bad dialogue poison the weights
                    ++skippedDialogues;
                    if (skippedDialogues <= 3) {
                        std::fprintf(stderr, "warning: dialogue %s gave a non-finite loss at epoch %d; skipped\n",
                                     data.train[order[k]].id.c_str(), epoch + 1);
                    }
                    continue;
                }
                if (k == lastOfMine) gradients.arm();
                (loss.sum / static_cast<double>(globalGold)).backward();
                stepLoss += value;
            }
            // Every trained parameter takes part in the sum, with a zero gradient where it had none.
            gradients.finish();
            std::vector<at::Tensor> lossShare{at::tensor({stepLoss}, at::kDouble).to(*device)};
            group.allreduceSum(lossShare);
            const double norm = torch::nn::utils::clip_grad_norm_(trained, config.gradientClip);
            if (!std::isfinite(norm)) {  // the same on every rank: the sum is
                ++skippedSteps;
                continue;
            }
            const double factor = scheduleFactor(epoch * stepsPerEpoch + step, totalSteps, warmup);
            for (std::size_t g = 0; g < optimizer.param_groups().size(); ++g) {
                static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options()).lr(baseRates[g] * factor);
            }
            optimizer.step();
            autocast.stepDone();
            lossSum += lossShare[0].item<double>();
            lossCount += globalGold;
            if (run.progress)
                run.progress({epoch + 1, config.epochs, static_cast<int>(step + 1), static_cast<int>(stepsPerEpoch),
                              lossCount > 0 ? lossSum / lossCount : 0.0, "train"});
        }
        if (skippedDialogues + skippedSteps > 0 && lead) {
            std::fprintf(stderr, "warning: epoch %d skipped %d dialogues with a non-finite loss and %d steps with non-finite gradients\n",
                         epoch + 1, skippedDialogues, skippedSteps);
        }
        const double epochTrainSeconds = secondsSince(epochStart);
        trainedUtterances += lossCount;
        trainingSeconds += epochTrainSeconds;

        // Dev score on rank 0; its decision (stop or go on) reaches every rank through the sum.
        EpochRecord record{epoch + 1, lossCount > 0 ? lossSum / lossCount : 0.0, 0, 0, lossCount / epochTrainSeconds};
        std::vector<at::Tensor> verdict{at::zeros({2}, at::TensorOptions(at::kDouble).device(*device))};
        if (lead) {
            if (run.progress) run.progress({epoch + 1, config.epochs, 0, 0, record.trainLoss, "dev"});
            const auto dev = evaluate(*model, **tokenizer, data.dev.empty() ? data.train : data.dev);
            autocast.stepDone();  // its casts made for inference must not reach a training pass
            record.devScore = dev.score;
            if (dev.score > progress.bestScore) {
                progress.bestScore = dev.score;
                progress.bestEpoch = epoch + 1;
                progress.epochsWithoutGain = 0;
                provenance["dev"] = dev.metrics;
                provenance["best_epoch"] = progress.bestEpoch;
                if (auto saved = saveCheckpointWeights(*model, manifest, run.out); !saved) return saved.error();
                if (auto written = writeManifest(run.out, manifest, provenance); !written) return written.error();
            } else {
                ++progress.epochsWithoutGain;
            }
            verdict[0][0] = progress.epochsWithoutGain >= config.patience ? 1.0 : 0.0;
        }
        group.allreduceSum(verdict);
        record.seconds = secondsSince(epochStart);
        if (lead && run.progress) run.progress({epoch + 1, config.epochs, 0, 0, record.trainLoss, "epoch", record.devScore});
        progress.records.push_back(record);
        progress.nextEpoch = epoch + 1;
        if (lead) {
            // The state to resume from: weights, optimizer and counters of this epoch's end, in a
            // folder of its own that is renamed whole, so a kill at any moment leaves a full state.
            const json state = {{"next_epoch", progress.nextEpoch},
                                {"best_epoch", progress.bestEpoch},
                                {"best_score", progress.bestScore},
                                {"epochs_without_gain", progress.epochsWithoutGain},
                                {"records", recordsJson(progress.records)}};
            if (auto saved = saveTrainingState(*model, manifest, optimizer, state, run.out / "training", progress.nextEpoch); !saved) {
                return saved.error();
            }
        }
        if (verdict[0][0].item<double>() > 0 || (epoch + 1) * stepsPerEpoch >= totalSteps) break;
    }

    TrainReport report;
    report.epochs = progress.records;
    report.bestEpoch = progress.bestEpoch;
    report.utterancesPerSecond = trainingSeconds > 0 ? trainedUtterances / trainingSeconds : 0;
    if (lead) {
        if (auto loaded = loadCheckpointWeights(*model, manifest, run.out); !loaded) return loaded.error();
        if (run.progress) run.progress({progress.bestEpoch, config.epochs, 0, 0, 0, "test"});
        // Scored again rather than taken from the epoch that won: after --resume that epoch may
        // belong to the interrupted run, whose metrics the state does not keep (a few seconds).
        const auto dev = evaluate(*model, **tokenizer, data.dev.empty() ? data.train : data.dev);
        report.dev = dev.metrics;
        if (!data.test.empty()) report.test = evaluate(*model, **tokenizer, data.test).metrics;
        report.seconds = secondsSince(started);
        provenance["dev"] = report.dev;
        provenance["test"] = report.test;
        provenance["best_epoch"] = report.bestEpoch;
        provenance["epochs"] = recordsJson(report.epochs);
        provenance["train_seconds"] = report.seconds;
        // Of the last step's buckets, those sent while its backward pass went on.
        provenance["gradient_buckets_sent_early"] = gradients.sentEarly();
        provenance["train_utterances_per_second"] = report.utterancesPerSecond;
        if (auto written = writeManifest(run.out, manifest, provenance); !written) return written.error();
        removeTree(run.out / "training");  // not fs::remove_all: the pip LibTorch exports a broken one
    }
    barrier();
    return report;
}

}  // namespace egmf::train
