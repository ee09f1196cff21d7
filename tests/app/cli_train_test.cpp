// `egmf train` as users run it, on a small text-only MELD-layout dataset made here: the checkpoint
// loads and records its provenance; two processes (torch c10d, Gloo on 127.0.0.1) give the weights
// of one process with the same global batch; a run killed with SIGKILL after an epoch resumes to
// the weights of an uninterrupted run.
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "cli_run.h"
#include "egmf/app/text_corpus.h"
#include "egmf/app/train_config.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "loading/weights.h"
#include "model/llm/causal_lm.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;

TEST(TrainConfig, aTextOnlyModelOfAnotherShape_isWhatTheManifestSays_andNonsenseIsRefusedByName) {
    const auto config = train::TrainConfig::fromJson(nlohmann::json::parse(R"({
        "modalities": ["text"], "modality_dropout": {"text": 0},
        "model": {"llm_hidden": 256, "llm_intermediate": 688, "llm_layers": 4, "llm_heads": 8, "llm_kv_heads": 4, "history_turns": 2}
    })"),
                                                     "meld-text.json");
    ASSERT_TRUE(config.ok()) << config.error().message;
    const auto m = config->modelManifest();
    EXPECT_TRUE((m.modalities == Modalities{true, false, false}));
    EXPECT_EQ(m.llm.hiddenSize, 256);
    EXPECT_EQ(m.llm.intermediateSize, 688);
    EXPECT_EQ(m.llm.numHiddenLayers, 4);
    EXPECT_EQ(m.llm.numAttentionHeads, 8);
    EXPECT_EQ(m.llm.numKeyValueHeads, 4);
    EXPECT_EQ(m.prompt.historyTurns, 2);
    EXPECT_EQ(m.fusionDim, train::demoTrainingManifest().fusionDim) << "what the section leaves out keeps the demo shape";
    const auto refused = [](const char* text) {
        auto c = train::TrainConfig::fromJson(nlohmann::json::parse(text), "bad.json");
        return c.ok() ? std::string() : c.error().message;
    };
    EXPECT_NE(refused(R"({"modalities": ["text"]})").find("cannot drop its text"), std::string::npos);
    EXPECT_NE(refused(R"({"modalities": []})").find("at least one"), std::string::npos);
    EXPECT_TRUE(refused(R"({"modalities": ["audio", "visual"]})").empty()) << "the paper's w/o T, retrained";
    EXPECT_NE(refused(R"({"modalities": ["text", "smell"]})").find("smell"), std::string::npos);
    EXPECT_NE(refused(R"({"model": {"llm_hidden": 100, "llm_heads": 3}})").find("divide"), std::string::npos);
    EXPECT_NE(refused(R"({"model": {"enhancer": {"gates": "serial"}}})").find("enhancer.gates"), std::string::npos);
}

TEST(TrainConfig, anEnhancerDesign_inTheManifestsWords_reachesTheModel) {
    const auto config = train::TrainConfig::fromJson(nlohmann::json::parse(R"({
        "model": {"enhancer": {"global": "attention", "modality_gate": true}, "context": {"module": "none"},
                  "pooling": {"pseudo_tokens": "modality_mean"}}
    })"),
                                                     "design.json");
    ASSERT_TRUE(config.ok()) << config.error().message;
    const auto m = config->modelManifest();
    EXPECT_EQ(m.design.global, "attention");
    EXPECT_TRUE(m.design.modalityGate);
    EXPECT_EQ(m.design.context, "none");
    EXPECT_EQ(m.design.pseudoPooling, "modality_mean");
    EXPECT_EQ(m.design.local, "conv") << "what the section leaves out is MODEL.md's";
    // Written into the provenance in the same words, so a resumed run reads the same design.
    const auto again = train::TrainConfig::fromJson(config->toJson(), "provenance");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->modelManifest().design, m.design);
}
using nlohmann::json;

class CliTrain : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir();
        ASSERT_TRUE(demo::writeTextCorpus(s_dir->path() / "data").ok());
        fs::copy_file(s_dir->path() / "data" / "config.json", s_dir->path() / "config.json");
    }
    static void TearDownTestSuite() { delete s_dir; }
    static std::string train(const fs::path& out, const std::string& extra) {
        return "train --dataset '" + (s_dir->path() / "data").string() + "' --out '" + out.string() + "' --config '" +
               (s_dir->path() / "config.json").string() + "' --features-cache '" + (s_dir->path() / "cache").string() +
               "' --seed 5 --threads 1 " + extra;
    }
    static double largestDifference(const fs::path& a, const fs::path& b) {
        auto left = loading::loadTensors(a / "model.safetensors"), right = loading::loadTensors(b / "model.safetensors");
        EXPECT_TRUE(left.ok() && right.ok());
        if (!left.ok() || !right.ok()) return 1e9;
        EXPECT_EQ(left->size(), right->size());
        double largest = 0;
        for (const auto& [key, tensor] : *left) {
            largest = std::max(largest, (tensor - right->at(key)).abs().max().item<double>());
        }
        return largest;
    }
    static test::TempDir* s_dir;
};
test::TempDir* CliTrain::s_dir = nullptr;

TEST_F(CliTrain, oneProcess_writesACheckpointThatLoads_withItsProvenance) {
    const auto out = s_dir->path() / "one";
    const auto run = test::egmf(train(out, "--epochs 2"));
    ASSERT_EQ(run.code, 0) << run.output;
    EXPECT_NE(run.output.find("best epoch"), std::string::npos) << run.output;
    auto info = inspectCheckpoint(out);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.tokenizer.kind, "sentencepiece");
    EXPECT_EQ(info->manifest.labels.size(), 7u);
    const auto provenance = json::parse(info->manifest.provenanceJson);
    EXPECT_EQ(provenance["seed"], 5);
    EXPECT_EQ(provenance["config"]["dialogues_per_step"], 4);
    EXPECT_EQ(provenance["data"]["train"]["utterances"], 80);
    EXPECT_TRUE(provenance["dev"].contains("weighted_f1"));
    EXPECT_TRUE(provenance["test"].contains("weighted_f1"));
    EXPECT_EQ(provenance["epochs"].size(), 2u);
    EXPECT_LT(provenance["epochs"][1]["train_loss"].get<double>(), provenance["epochs"][0]["train_loss"].get<double>());
    EXPECT_NE(provenance["command"].get<std::string>().find("egmf train"), std::string::npos);
    EXPECT_FALSE(fs::exists(out / "training")) << "the resume state goes once training is done";
    auto analyzer = loadNativeCheckpoint(out);
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
}

TEST_F(CliTrain, twoProcesses_giveTheWeightsOfOne_withTheSameGlobalBatch) {
    const auto one = s_dir->path() / "p1", two = s_dir->path() / "p2";
    const auto a = test::egmf(train(one, "--epochs 1"));
    ASSERT_EQ(a.code, 0) << a.output;
    // Small buckets: many, most sent while the backward pass goes on.
    const auto b = test::egmf(train(two, "--epochs 1 --processes 2 --bucket-mb 0.01"));
    ASSERT_EQ(b.code, 0) << b.output;
    EXPECT_NE(b.output.find("2 process(es)"), std::string::npos) << b.output;
    const double difference = largestDifference(one, two);
    std::printf("1 vs 2 processes: largest weight difference %.3g\n", difference);
    auto info = inspectCheckpoint(two);
    ASSERT_TRUE(info.ok());
    const auto provenance = json::parse(info->manifest.provenanceJson);
    EXPECT_GT(provenance["gradient_buckets"].get<int>(), 10) << "0.01 MB buckets";
    EXPECT_GT(provenance["gradient_buckets_sent_early"].get<int>(), 0) << "buckets go during the backward pass";
    EXPECT_LT(difference, 1e-5);
}

TEST_F(CliTrain, killedAfterAnEpoch_resumesToTheWeightsOfAnUninterruptedRun) {
    const auto whole = s_dir->path() / "whole", killed = s_dir->path() / "killed";
    ASSERT_EQ(test::egmf(train(whole, "--epochs 3 --patience 5")).code, 0);
    const pid_t child = ::fork();
    if (child == 0) {
        // exec: the shell becomes egmf, so the pid is the trainer's.
        ::execl(
            "/bin/sh", "sh", "-c",
            ("exec " + test::binaryDir().string() + "/bin/egmf " + train(killed, "--epochs 3 --patience 5") + " >/dev/null 2>&1").c_str(),
            static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Each epoch's state is a folder training/state-N, renamed whole once written.
    const auto stateOf = [&] {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(killed / "training", ec)) {
            const auto name = entry.path().filename().string();
            if (name.rfind("state-", 0) == 0 && name.find('.') == std::string::npos) return entry.path() / "state.json";
        }
        return fs::path();
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (stateOf().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto state = stateOf();
    ASSERT_FALSE(state.empty()) << "no epoch finished";
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::ifstream in(stateOf());  // a later epoch's may have replaced it before the kill
    const auto saved = json::parse(in, nullptr, false);
    ASSERT_FALSE(saved.is_discarded());
    EXPECT_LT(saved["next_epoch"].get<int>(), 3) << "killed before the end";
    const auto resumed = test::egmf(train(killed, "--epochs 3 --patience 5 --resume"));
    ASSERT_EQ(resumed.code, 0) << resumed.output;
    const double difference = largestDifference(whole, killed);
    std::printf("uninterrupted vs killed and resumed: largest weight difference %.3g\n", difference);
    EXPECT_LT(difference, 1e-6);
}

std::string fileBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(CliTrain, fromAHuggingFaceBase_50Steps_writesTheHuggingFaceLayout_andLeavesTheBaseUntouched) {
    // The tiny Hugging Face Llama: the bundled demo's LLM and SentencePiece tokenizer, exported.
    const auto hf = s_dir->path() / "hf-demo";
    const auto exported = test::egmf("export --checkpoint '" + (test::sourceDir() / "resources/checkpoints/demo-erc").string() +
                                     "' --huggingface '" + hf.string() + "'");
    ASSERT_EQ(exported.code, 0) << exported.output;
    const auto baseBytes = fileBytes(hf / "base/model.safetensors");
    const auto out = s_dir->path() / "from-hf";
    const auto run = test::egmf(train(out, "--epochs 30 --base-model '" + (hf / "base").string() + "' --max-steps 50"));
    ASSERT_EQ(run.code, 0) << run.output;
    EXPECT_TRUE(fs::exists(out / "adapter/adapter_config.json"));
    EXPECT_TRUE(fs::exists(out / "adapter/adapter_model.safetensors"));
    EXPECT_TRUE(fs::exists(out / "fusion.safetensors"));
    EXPECT_FALSE(fs::exists(out / "model.safetensors")) << "the frozen base is named, not copied";
    EXPECT_EQ(fileBytes(hf / "base/model.safetensors"), baseBytes) << "training wrote into the memory-mapped base";
    auto info = inspectCheckpoint(out);
    ASSERT_TRUE(info.ok()) << info.error().message;
    ASSERT_TRUE(info->manifest.huggingFace.has_value());
    EXPECT_EQ(fs::path(info->manifest.huggingFace->baseModel), fs::absolute(hf / "base").lexically_normal());
    ASSERT_TRUE(info->manifest.lora.has_value());
    const auto provenance = json::parse(info->manifest.provenanceJson);
    EXPECT_EQ(provenance["config"]["max_steps"], 50);
    EXPECT_EQ(provenance["config"]["llm_training"], "lora");
    EXPECT_LE(provenance["epochs"].size() * 4, 52u) << "50 steps of 4 dialogues: at most 13 epochs";
    // Through the plugins, as `egmf` loads every checkpoint: the Hugging Face plugin takes it and predicts.
    const auto inspected = test::egmf("inspect-checkpoint '" + out.string() + "'");
    ASSERT_EQ(inspected.code, 0) << inspected.output;
    EXPECT_NE(inspected.output.find("Hugging Face LLM + PEFT LoRA"), std::string::npos) << inspected.output;
    const auto evaluated =
        test::egmf("eval --checkpoint '" + out.string() + "' --dataset '" + (s_dir->path() / "data").string() + "' --split test");
    ASSERT_EQ(evaluated.code, 0) << evaluated.output;
    EXPECT_NE(evaluated.output.find("accuracy"), std::string::npos) << evaluated.output;
}

/// A tiny ChatGLM3 folder as THUDM's are laid out: config.json in ChatGLM's names, the weights
/// under transformer.*, the rotary buffer its checkpoints carry, and a SentencePiece tokenizer.model
/// (the bundled demo's, 600 pieces + ChatGLM's 9 specials) under a padded vocabulary of 640 rows.
fs::path writeTinyChatGlm(const fs::path& folder) {
    LlmConfig glm;
    glm.modelType = "chatglm";
    glm.vocabSize = 640, glm.hiddenSize = 64, glm.intermediateSize = 128, glm.numHiddenLayers = 2;
    glm.numAttentionHeads = 4, glm.numKeyValueHeads = 2, glm.attentionBias = true, glm.eosTokenId = 2;
    fs::create_directories(folder);
    std::ofstream(folder / "config.json") << serializeLlmConfig(glm);
    at::manual_seed(3);
    auto llm = model::makeCausalLm(glm, std::nullopt);
    std::map<std::string, at::Tensor> tensors;
    for (const auto& item : llm->named_parameters(true)) {
        const bool norm = item.key().find("norm") != std::string::npos;
        tensors[item.key()] = norm ? at::ones_like(item.value()) : at::randn_like(item.value()) * 0.02;
    }
    tensors["transformer.rotary_pos_emb.inv_freq"] = at::rand({4});
    EXPECT_TRUE(loading::saveTensors(folder / "model.safetensors", tensors).ok());
    fs::copy_file(test::sourceDir() / "resources/checkpoints/demo-erc/tokenizer.model", folder / "tokenizer.model");
    return folder;
}

TEST_F(CliTrain, fromAChatGlm3Base_trainsItsQueryKeyValueAdapter_andTheCheckpointPredicts) {
    const auto base = writeTinyChatGlm(s_dir->path() / "chatglm3-tiny");
    const auto out = s_dir->path() / "from-glm";
    const auto run = test::egmf(train(out, "--epochs 4 --base-model '" + base.string() + "' --max-steps 12"));
    ASSERT_EQ(run.code, 0) << run.output;
    auto info = inspectCheckpoint(out);
    ASSERT_TRUE(info.ok()) << info.error().message;
    ASSERT_TRUE(info->manifest.lora.has_value());
    EXPECT_EQ(info->manifest.lora->targetModules, std::vector<std::string>{"query_key_value"}) << "PEFT's default for ChatGLM";
    EXPECT_EQ(info->manifest.tokenizer.kind, "chatglm");
    std::ifstream adapterConfig(out / "adapter/adapter_config.json");
    EXPECT_EQ(json::parse(adapterConfig)["target_modules"], json::array({"query_key_value"}));
    auto adapter = loading::loadTensors(out / "adapter/adapter_model.safetensors");
    ASSERT_TRUE(adapter.ok()) << adapter.error().message;
    EXPECT_EQ(adapter->count("base_model.model.transformer.encoder.layers.1.self_attention.query_key_value.lora_B.weight"), 1u);
    const auto evaluated =
        test::egmf("eval --checkpoint '" + out.string() + "' --dataset '" + (s_dir->path() / "data").string() + "' --split test");
    ASSERT_EQ(evaluated.code, 0) << evaluated.output;
    EXPECT_NE(evaluated.output.find("accuracy"), std::string::npos) << evaluated.output;
}

TEST_F(CliTrain, anotherEnhancerDesign_trains_andItsCheckpointSaysSoAndPredicts) {
    const auto config = s_dir->path() / "design.json";
    auto settings = json::parse(fileBytes(s_dir->path() / "config.json"));
    settings["model"]["enhancer"] = {{"local", "window_attention"}, {"gates", "sequential"}, {"modality_gate", true}};
    settings["model"]["context"] = {{"module", "attention"}};
    settings["model"]["pooling"] = {{"context", "attention"}, {"pseudo_tokens", "modality_mean"}};
    std::ofstream(config) << settings.dump();
    const auto out = s_dir->path() / "design";
    const auto run = test::egmf("train --dataset '" + (s_dir->path() / "data").string() + "' --out '" + out.string() + "' --config '" +
                                config.string() + "' --seed 5 --threads 1 --epochs 2");
    ASSERT_EQ(run.code, 0) << run.output;
    auto info = inspectCheckpoint(out);
    ASSERT_TRUE(info.ok()) << info.error().message;
    const EnhancerDesign expected{"window_attention", "mean", "sequential", true, "attention", "attention", "modality_mean"};
    EXPECT_EQ(info->manifest.design, expected);
    const auto provenance = json::parse(info->manifest.provenanceJson);
    EXPECT_LT(provenance["epochs"][1]["train_loss"].get<double>(), provenance["epochs"][0]["train_loss"].get<double>()) << "it learns";
    const auto analyzed = test::egmf("analyze --checkpoint '" + out.string() + "' --dataset '" + (s_dir->path() / "data").string() +
                                     "' --split test --out '" + (s_dir->path() / "design.jsonl").string() + "'");
    ASSERT_EQ(analyzed.code, 0) << analyzed.output;
    const auto line = fileBytes(s_dir->path() / "design.jsonl");
    EXPECT_NE(line.find(R"("modality":{"audio":)"), std::string::npos) << "the modality gate is in the results: " << line.substr(0, 2000);
}

TEST_F(CliTrain, ablationRetrain_trainsOneModelPerRow_andPrintsBothColumns_resumingWhatIsDone) {
    // A text-only corpus: no modality rows, the three experts', and w/o LoRA over a tiny ChatGLM3 base.
    const auto base = writeTinyChatGlm(s_dir->path() / "chatglm3-retrain");
    const auto out = s_dir->path() / "retrain";
    const auto table = s_dir->path() / "retrain.json";
    const auto config = s_dir->path() / "text-only.json";
    auto settings = json::parse(fileBytes(s_dir->path() / "config.json"));
    settings["modalities"] = {"text"};
    settings["modality_dropout"] = {{"text", 0.0}};
    std::ofstream(config) << settings.dump();
    const auto command = "ablation --retrain --dataset '" + (s_dir->path() / "data").string() + "' --out '" + out.string() +
                         "' --config '" + config.string() + "' --base-model '" + base.string() +
                         "' --seeds 3 --epochs 2 --split test --threads 1 --json '" + table.string() + "'";
    const auto run = test::egmf(command);
    ASSERT_EQ(run.code, 0) << run.output;
    EXPECT_NE(run.output.find("W-F1 retrained"), std::string::npos) << run.output;
    std::ifstream in(table);
    const auto written = json::parse(in);
    std::vector<std::string> names;
    for (const auto& row : written["rows"]) names.push_back(row["name"]);
    EXPECT_EQ(names, (std::vector<std::string>{"full model", "w/o local expert", "w/o semantic expert", "w/o global expert", "w/o LoRA"}));
    for (const auto& row : written["rows"]) ASSERT_EQ(row["weighted_f1_retrained"].size(), 1u) << row.dump();
    EXPECT_TRUE(written["rows"][4]["weighted_f1_inference_only"].empty()) << "no switch turns an adapter off at inference";
    auto local = inspectCheckpoint(out / "without-local" / "seed-3");
    ASSERT_TRUE(local.ok()) << local.error().message;
    EXPECT_EQ(local->manifest.removedExperts, std::bitset<3>("001")) << "trained without the local expert, and it says so";
    auto frozen = inspectCheckpoint(out / "without-lora" / "seed-3");
    ASSERT_TRUE(frozen.ok()) << frozen.error().message;
    EXPECT_FALSE(frozen->manifest.lora.has_value());
    EXPECT_FALSE(fs::exists(out / "without-lora" / "seed-3" / "adapter"));
    // Run again: every row is finished, so nothing trains; the table is the same.
    const auto again = test::egmf(command);
    ASSERT_EQ(again.code, 0) << again.output;
    std::ifstream second(table);
    EXPECT_EQ(json::parse(second)["rows"], written["rows"]);
}

TEST_F(CliTrain, aHuggingFaceBaseInBfloat16_underAutocast_followsTheFloat32Loss) {
    const auto hf = s_dir->path() / "hf-bf16";
    const auto exported = test::egmf("export --checkpoint '" + (test::sourceDir() / "resources/checkpoints/demo-erc").string() +
                                     "' --huggingface '" + hf.string() + "'");
    ASSERT_EQ(exported.code, 0) << exported.output;
    const auto lossOf = [&](const std::string& dtype) {
        const auto out = s_dir->path() / ("lora-" + dtype);
        const auto run = test::egmf(train(out, "--epochs 2 --base-model '" + (hf / "base").string() + "' --dtype " + dtype));
        EXPECT_EQ(run.code, 0) << run.output;
        auto info = inspectCheckpoint(out);
        EXPECT_TRUE(info.ok());
        if (!info.ok()) return std::pair(0.0, 0.0);
        const auto provenance = json::parse(info->manifest.provenanceJson);
        EXPECT_EQ(provenance["dtype"], dtype);
        return std::pair(provenance["epochs"][0]["train_loss"].get<double>(), provenance["epochs"][1]["train_loss"].get<double>());
    };
    const auto [f1, f2] = lossOf("float32");
    const auto [b1, b2] = lossOf("bfloat16");
    std::printf("LoRA on the exported base: train loss float32 %.4f, %.4f; bfloat16 %.4f, %.4f\n", f1, f2, b1, b2);
    EXPECT_NEAR(b1, f1, 0.05 * f1) << "bfloat16's rounding moves the first epoch's loss by a few percent at most";
    EXPECT_LT(b2, b1) << "and it learns";
    const auto refused = test::egmf(train(s_dir->path() / "bf16-demo", "--epochs 1 --dtype bfloat16"));
    EXPECT_EQ(refused.code, 2) << refused.output;
    EXPECT_NE(refused.output.find("without --base-model"), std::string::npos) << refused.output;
}

TEST_F(CliTrain, meritsL_threeStages_writeACheckpointTheMeritsPluginLoads) {
    const auto out = s_dir->path() / "merits";
    const auto run = test::egmf(train(out, "--epochs 3 --architecture merits-l"));
    ASSERT_EQ(run.code, 0) << run.output;
    auto info = inspectCheckpoint(out);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.architecture, "merits-l");
    EXPECT_TRUE(info->manifest.substitutes.count("text_encoder"));
    const auto provenance = json::parse(info->manifest.provenanceJson);
    ASSERT_EQ(provenance["stages"].size(), 3u);
    for (const auto& stage : provenance["stages"]) EXPECT_LE(stage["epochs"].size(), 3u);
    EXPECT_EQ(provenance["test_by_stage"].size(), 5u) << "text and speech after stages I and II, and the fusion";
    const auto inspected = test::egmf("inspect-checkpoint '" + out.string() + "'");
    ASSERT_EQ(inspected.code, 0) << inspected.output;
    EXPECT_NE(inspected.output.find("MERITS-L"), std::string::npos) << inspected.output;
    const auto evaluated =
        test::egmf("eval --checkpoint '" + out.string() + "' --dataset '" + (s_dir->path() / "data").string() + "' --split test");
    ASSERT_EQ(evaluated.code, 0) << evaluated.output;
    const auto twoProcesses = test::egmf(train(s_dir->path() / "merits2", "--epochs 1 --architecture merits-l --processes 2"));
    EXPECT_EQ(twoProcesses.code, 2);
    EXPECT_NE(twoProcesses.output.find("one process"), std::string::npos) << twoProcesses.output;
}

TEST_F(CliTrain, badSettings_exit2_namingTheProblem) {
    std::ofstream(s_dir->path() / "bad.json") << R"({"task": "poetry"})";
    const auto bad = test::egmf("train --dataset '" + (s_dir->path() / "data").string() + "' --out '" + (s_dir->path() / "x").string() +
                                "' --config '" + (s_dir->path() / "bad.json").string() + "'");
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.output.find("bad.json: task must be erc or msa"), std::string::npos) << bad.output;
    EXPECT_EQ(test::egmf("train --dataset /nonexistent --out /tmp/x").code, 2);
    // Debian's LibTorch has no CUDA: asking for it says so and where a CUDA build comes from.
    const auto cuda = test::egmf(train(s_dir->path() / "cuda", "--epochs 1 --device cuda"));
    if (cuda.output.find("has no CUDA") != std::string::npos) {
        EXPECT_EQ(cuda.code, 2) << cuda.output;
        EXPECT_NE(cuda.output.find("build-external-libtorch.sh"), std::string::npos) << cuda.output;
    }
    const auto nonsense = test::egmf(train(s_dir->path() / "tpu", "--epochs 1 --device tpu"));
    EXPECT_EQ(nonsense.code, 2) << nonsense.output;
    EXPECT_NE(nonsense.output.find("--device tpu: use auto, cpu, cuda or cuda:N"), std::string::npos) << nonsense.output;
}

}  // namespace
}  // namespace egmf
