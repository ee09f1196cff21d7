#include "merits_trainer.h"

#include <chrono>
#include <fstream>
#include <numeric>
#include <random>

#include <c10/core/InferenceMode.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>

#include "checkpoint/huggingface_layout.h"
#include "core/clock.h"
#include "egmf/app/metrics.h"
#include "egmf/app/metrics_json.h"
#include "loading/weights.h"
#include "model/merits.h"
#include "runtime/merits_analyzer.h"
#include "schedule.h"
#include "tokenizer_training.h"

namespace egmf::train {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

/// The heads each stage trains and scores.
enum Head { TextI, AudioI, TextII, AudioII, Fused, HeadCount };
const char* const kHeadNames[HeadCount] = {"text (stage I)", "speech (stage I)", "text (stage II)", "speech (stage II)",
                                           "text + speech (stage III)"};

std::vector<at::Tensor> headLogits(const model::MeritsOutput& out) {
    return {out.textLogits, out.audioLogits, out.textContextLogits, out.audioContextLogits, out.fusedLogits};
}

std::vector<Head> stageHeads(int stage) {
    if (stage == 0) return {TextI, AudioI};
    if (stage == 1) return {TextII, AudioII};
    return {Fused};
}

/// The parameters a stage trains (by checkpoint key prefix).
bool inStage(const std::string& name, int stage, bool embeddingsFrozen) {
    static const std::vector<std::vector<std::string>> kPrefixes{
        {"text_embed.", "text_proj.", "text_encoder.", "audio_encoder.", "text_head.", "audio_head."},
        {"text_context.", "audio_context.", "text_context_head.", "audio_context_head."},
        {"coattention.", "fusion_head."}};
    if (embeddingsFrozen && name.starts_with("text_embed.")) return false;
    for (const auto& prefix : kPrefixes[static_cast<std::size_t>(stage)]) {
        if (name.starts_with(prefix)) return true;
    }
    return false;
}

struct Scores {
    json metrics[HeadCount];
    double stageScore[3] = {0, 0, 0};
};

/// Every head's metrics on `dialogues` (gold labels only).
Scores score(model::MeritsImpl& model, const tokenizer::Tokenizer& tokenizer, const std::vector<Dialogue>& dialogues) {
    const bool wasTraining = model.is_training();
    model.eval();
    std::vector<std::string> gold, predicted[HeadCount];
    {
        c10::InferenceMode inference;
        const auto& labels = model.manifest().labels;
        for (const auto& dialogue : dialogues) {
            std::vector<std::vector<std::int32_t>> ids;
            auto inputs = runtime::meritsInputs(model, tokenizer, dialogue, {}, ids);
            if (!inputs || inputs->empty()) continue;
            const auto logits = headLogits(model.forward(*inputs));
            for (std::size_t i = 0; i < dialogue.utterances.size(); ++i) {
                if (!dialogue.utterances[i].goldLabel) continue;
                gold.push_back(*dialogue.utterances[i].goldLabel);
                for (int h = 0; h < HeadCount; ++h) {
                    predicted[h].push_back(labels[static_cast<std::size_t>(
                        logits[static_cast<std::size_t>(h)][static_cast<std::int64_t>(i)].argmax().item<std::int64_t>())]);
                }
            }
        }
    }
    Scores s;
    double f1[HeadCount];
    for (int h = 0; h < HeadCount; ++h) {
        const auto report = eval::classify(gold, predicted[h], model.manifest().labels);
        s.metrics[h] = eval::toJson(report);
        f1[h] = report.weightedF1;
    }
    s.stageScore[0] = (f1[TextI] + f1[AudioI]) / 2;
    s.stageScore[1] = (f1[TextII] + f1[AudioII]) / 2;
    s.stageScore[2] = f1[Fused];
    if (wasTraining) model.train();
    return s;
}

json byHead(const Scores& s) {
    json out;
    for (int h = 0; h < HeadCount; ++h) out[kHeadNames[h]] = s.metrics[h];
    return out;
}

/// The text embedding rows of a Hugging Face model, its tokenizer and its LLM config.
Result<at::Tensor> baseEmbeddings(Manifest& manifest, const fs::path& base) {
    auto resolved = checkpoint::resolveHuggingFaceBase(base);
    if (!resolved) return resolved.error();
    if (resolved->tokenizer.file.empty()) return makeError(ErrorCode::NotFound, base.string() + ": no tokenizer.json or tokenizer.model");
    manifest.llm = resolved->llm;
    const fs::path tokenizerFile = resolved->tokenizer.file;
    auto files = checkpoint::openSources(resolved->sources);
    if (!files) return files.error();
    auto tensors = checkpoint::tensorsByKey(resolved->sources, *files);
    if (!tensors) return tensors.error();
    const std::string table = manifest.llm.isChatGlm() ? "transformer.embedding.word_embeddings.weight" : "model.embed_tokens.weight";
    const auto found = tensors->find("llm." + table);
    if (found == tensors->end()) return makeError(ErrorCode::Mismatch, base.string() + ": no " + table);
    manifest.tokenizer = {resolved->tokenizer.kind, tokenizerFile.filename().string()};
    return loading::toTensor(*found->second).to(at::kFloat);
}

}  // namespace

Result<TrainReport> runMeritsTraining(const TrainRun& run) {
    const auto started = Clock::now();
    const auto& config = run.config;
    const auto& data = run.data;
    if (run.threads > 0) at::set_num_threads(run.threads);
    if (run.distributed.world > 1) return makeError(ErrorCode::Unsupported, "MERITS-L trains in one process; leave --processes out");
    if (run.resume) return makeError(ErrorCode::Unsupported, "MERITS-L training does not resume (its stages take minutes); start again");
    if (data.train.empty()) return makeError(ErrorCode::InvalidArgument, data.source + ": no training dialogues");
    if (data.labels.size() < 2) return makeError(ErrorCode::InvalidArgument, data.source + ": the dataset names no labels");
    std::error_code ec;
    fs::create_directories(run.out, ec);
    if (ec) return makeError(ErrorCode::Io, run.out.string() + ": cannot create (" + ec.message() + "); choose another --out");

    Manifest manifest = config.model;
    manifest.architecture = "merits-l";
    manifest.task = Task::Classification;
    manifest.labels = data.labels;
    manifest.lora.reset();
    manifest.substitutes = {{"text_encoder", "RoBERTa (fine-tuned) -> LLM embedding rows + one transformer layer"},
                            {"speech_encoder", "CARE embeddings -> EGMF's log-mel audio branch"},
                            {"llm_pseudo_labels", "not used: no LLM labels the transcripts offline"}};
    at::Tensor embeddings;
    if (!config.baseModel.empty()) {
        auto rows = baseEmbeddings(manifest, config.baseModel);
        if (!rows) return rows.error();
        embeddings = *rows;
        std::error_code copyError;
        fs::copy_file(fs::path(config.baseModel) / manifest.tokenizer.file, run.out / manifest.tokenizer.file,
                      fs::copy_options::overwrite_existing, copyError);
        if (copyError)
            return makeError(ErrorCode::Io, (run.out / manifest.tokenizer.file).string() + ": cannot write (" + copyError.message() + ")");
    } else {
        auto vocab = trainTokenizer(run.out, data.train, manifest, config.vocabSize);
        if (!vocab) return vocab.error();
        manifest.tokenizer = {"sentencepiece", "tokenizer.model"};
        manifest.llm.vocabSize = *vocab;
        manifest.llm.bosTokenId = 1, manifest.llm.eosTokenId = 2;  // spm_train's defaults
    }
    auto tokenizer = tokenizer::makeCheckpointTokenizer(manifest, run.out);
    if (!tokenizer) return tokenizer.error();

    at::manual_seed(static_cast<std::int64_t>(config.seed));
    model::Merits model(manifest);
    {
        at::NoGradGuard noGrad;
        if (embeddings.defined())
            model->text_embed->weight.copy_(embeddings);
        else
            model->text_embed->weight.normal_(0.0, 0.02);
    }
    model->train();
    const std::vector<std::string>& labels = manifest.labels;
    const auto labelIndex = [&](const std::string& label) {
        return static_cast<std::int64_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
    };

    TrainReport report;
    json provenance = {{"trainer", "egmf train (MERITS-L, three stages)"},
                       {"command", run.command},
                       {"seed", config.seed},
                       {"config", config.toJson()},
                       {"data", {{"source", data.source}, {"details", data.details}}},
                       {"stages", json::array()}};
    const auto& dev = data.dev.empty() ? data.train : data.dev;
    double trainedUtterances = 0, trainingSeconds = 0;
    int epochCounter = 0;
    for (int stage = 0; stage < 3; ++stage) {
        std::vector<at::Tensor> trained;
        for (auto& item : model->named_parameters(true)) {
            const bool mine = inStage(item.key(), stage, embeddings.defined());
            item.value().requires_grad_(mine);
            if (mine) trained.push_back(item.value());
        }
        torch::optim::AdamW optimizer(trained, torch::optim::AdamWOptions(config.learningRate).weight_decay(config.weightDecay));
        const int perStep = config.dialoguesPerStep;
        const auto stepsPerEpoch =
            static_cast<std::int64_t>((data.train.size() + static_cast<std::size_t>(perStep) - 1) / static_cast<std::size_t>(perStep));
        const auto totalSteps = stepsPerEpoch * config.epochs;
        const auto warmup = std::max<std::int64_t>(1, std::llround(config.warmupFraction * static_cast<double>(totalSteps)));
        double bestScore = -1;
        int bestEpoch = 0, withoutGain = 0;
        std::map<std::string, at::Tensor> best;
        json epochs = json::array();
        for (int epoch = 0; epoch < config.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            std::vector<std::size_t> order(data.train.size());
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(),
                         std::mt19937_64(config.seed * 7919 + static_cast<std::uint64_t>(stage * 1000 + epoch)));
            double lossSum = 0, utterances = 0;
            for (std::int64_t step = 0; step < stepsPerEpoch; ++step) {
                optimizer.zero_grad();
                at::Tensor loss;
                double gold = 0;
                for (auto k = static_cast<std::size_t>(step * perStep);
                     k < std::min(order.size(), static_cast<std::size_t>((step + 1) * perStep)); ++k) {
                    const auto& dialogue = data.train[order[k]];
                    std::vector<std::vector<std::int32_t>> ids;
                    auto inputs = runtime::meritsInputs(*model, **tokenizer, dialogue, {}, ids);
                    if (!inputs || inputs->empty()) continue;
                    std::vector<std::int64_t> rows, targets;
                    for (std::size_t i = 0; i < dialogue.utterances.size(); ++i) {
                        const auto& g = dialogue.utterances[i].goldLabel;
                        if (g && labelIndex(*g) < static_cast<std::int64_t>(labels.size())) {
                            rows.push_back(static_cast<std::int64_t>(i));
                            targets.push_back(labelIndex(*g));
                        }
                    }
                    if (rows.empty()) continue;
                    const auto logits = headLogits(model->forward(*inputs));
                    const auto rowIndex = at::tensor(rows, at::kLong), target = at::tensor(targets, at::kLong);
                    for (const auto head : stageHeads(stage)) {
                        const auto part = at::cross_entropy_loss(logits[static_cast<std::size_t>(head)].index_select(0, rowIndex), target,
                                                                 {}, at::Reduction::Sum);
                        loss = loss.defined() ? loss + part : part;
                    }
                    gold += static_cast<double>(rows.size());
                }
                if (!loss.defined()) continue;
                (loss / gold).backward();
                torch::nn::utils::clip_grad_norm_(trained, config.gradientClip);
                const double factor = scheduleFactor(epoch * stepsPerEpoch + step, totalSteps, warmup);
                static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[0].options()).lr(config.learningRate * factor);
                optimizer.step();
                lossSum += loss.item<double>();
                utterances += gold;
                if (run.progress)
                    run.progress({epochCounter + 1, 3 * config.epochs, static_cast<int>(step + 1), static_cast<int>(stepsPerEpoch),
                                  utterances > 0 ? lossSum / utterances : 0.0, "train"});
            }
            const double seconds = secondsSince(epochStart);
            trainedUtterances += utterances;
            trainingSeconds += seconds;
            const auto devScores = score(*model, **tokenizer, dev);
            const double devScore = devScores.stageScore[stage];
            ++epochCounter;
            EpochRecord record{epochCounter, utterances > 0 ? lossSum / utterances : 0.0, devScore, seconds, utterances / seconds};
            report.epochs.push_back(record);
            epochs.push_back({{"epoch", epoch + 1}, {"train_loss", record.trainLoss}, {"dev_score", devScore}, {"seconds", seconds}});
            if (run.progress) run.progress({epochCounter, 3 * config.epochs, 0, 0, record.trainLoss, "epoch", devScore});
            if (devScore > bestScore) {
                bestScore = devScore, bestEpoch = epoch + 1, withoutGain = 0;
                best.clear();
                for (const auto& p : model->named_parameters(true)) best[p.key()] = p.value().detach().clone();
            } else if (++withoutGain >= config.patience) {
                break;
            }
        }
        {
            at::NoGradGuard noGrad;
            for (auto& p : model->named_parameters(true)) p.value().copy_(best.at(p.key()));
        }
        provenance["stages"].push_back({{"stage", stage + 1}, {"best_epoch", bestEpoch}, {"dev_score", bestScore}, {"epochs", epochs}});
    }
    for (auto& p : model->named_parameters(true)) p.value().requires_grad_(true);

    const auto devScores = score(*model, **tokenizer, dev);
    report.dev = devScores.metrics[Fused];
    provenance["dev"] = report.dev;
    provenance["dev_by_stage"] = byHead(devScores);
    if (!data.test.empty()) {
        const auto testScores = score(*model, **tokenizer, data.test);
        report.test = testScores.metrics[Fused];
        provenance["test"] = report.test;
        provenance["test_by_stage"] = byHead(testScores);
    }
    report.bestEpoch = provenance["stages"].back()["best_epoch"].get<int>();
    report.seconds = secondsSince(started);
    report.utterancesPerSecond = trainingSeconds > 0 ? trainedUtterances / trainingSeconds : 0;
    provenance["train_seconds"] = report.seconds;
    manifest.provenanceJson = provenance.dump();
    if (auto saved = loading::saveModule(*model, run.out / "model.safetensors", {{"format", "egmf"}}); !saved) return saved.error();
    std::ofstream out(run.out / "manifest.json", std::ios::trunc);
    out << serializeManifest(manifest);
    if (!out) return makeError(ErrorCode::Io, (run.out / "manifest.json").string() + ": cannot write; check the disk");
    return report;
}

}  // namespace egmf::train
