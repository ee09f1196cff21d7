#include "ablation_retrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "egmf/app/process.h"
#include "egmf/app/train_config.h"
#include "metrics_json.h"

namespace egmf::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// One row of the table: what its training config changes, and the same component switched off
/// at inference in the full model (empty: no inference-only counterpart).
struct AblationRow {
    std::string name, folder;
    std::string withoutModality;  ///< "text", "audio", "visual", "audio+visual"
    std::string removedExpert;
    bool frozenLlm = false;
    std::string ablate;
};

std::vector<AblationRow> rowsFor(const Modalities& read, bool withBase) {
    std::vector<AblationRow> rows{{"full model", "full", "", "", false, ""}};
    if (read.text && read.hasClipInput()) rows.push_back({"w/o text", "without-text", "text", "", false, "t"});
    if (read.audio && (read.text || read.visual)) rows.push_back({"w/o audio", "without-audio", "audio", "", false, "a"});
    if (read.visual && (read.text || read.audio)) rows.push_back({"w/o visual", "without-visual", "visual", "", false, "v"});
    if (read.text && read.audio && read.visual)
        rows.push_back({"w/o audio, visual", "without-audio-visual", "audio+visual", "", false, "a,v"});
    rows.push_back({"w/o local expert", "without-local", "", "local", false, "e1"});
    rows.push_back({"w/o semantic expert", "without-semantic", "", "semantic", false, "e2"});
    rows.push_back({"w/o global expert", "without-global", "", "global", false, "e3"});
    if (withBase) rows.push_back({"w/o LoRA", "without-lora", "", "", true, ""});
    return rows;
}

json rowConfig(json config, const AblationRow& row, const Modalities& read) {
    if (!row.withoutModality.empty()) {
        json names = json::array();
        if (read.text && row.withoutModality != "text") names.push_back("text");
        if (read.audio && row.withoutModality.find("audio") == std::string::npos) names.push_back("audio");
        if (read.visual && row.withoutModality.find("visual") == std::string::npos) names.push_back("visual");
        config["modalities"] = names;
        // A model without text, or with text alone, has no text to drop.
        if (names.size() == 1 || !read.text || row.withoutModality == "text") config["modality_dropout"]["text"] = 0.0;
    }
    if (!row.removedExpert.empty()) config["model"]["experts"]["removed"] = {row.removedExpert};
    if (row.frozenLlm) config["llm_training"] = "frozen";
    return config;
}

struct Score {
    double first = 0, second = 0;  ///< accuracy and weighted F1 (ERC), MAE and Acc-2 (MSA)
};

Result<Score> scoreOf(AnalysisRequest request, const std::string& checkpoint, const std::string& ablate, EvalTask& task) {
    request.checkpoint = checkpoint;
    request.ablate = ablate;
    std::vector<json> lines;
    auto summary = runAnalysis(request, [&](const json& line) { lines.push_back(line); });
    if (!summary) return summary.error();
    task = summary->manifest.task == Task::Regression ? EvalTask::Msa : EvalTask::Erc;
    Scoring scoring;
    if (task == EvalTask::Erc) scoring.labels = summary->manifest.labels;
    for (const auto& line : lines) scoring.addResult(line, task, "prediction");
    const auto metrics = scoring.metrics(task);
    const auto value = [&](const char* key) {
        return metrics.contains(key) && metrics[key].is_number() ? metrics[key].get<double>() : NAN;
    };
    return task == EvalTask::Erc ? Score{value("accuracy"), value("weighted_f1")} : Score{value("mae"), value("acc2_nonnegative")};
}

std::string meanSd(const std::vector<double>& values) {
    if (values.empty()) return "-";
    double mean = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    double spread = 0;
    for (double v : values) spread += (v - mean) * (v - mean);
    const double sd = values.size() > 1 ? std::sqrt(spread / static_cast<double>(values.size() - 1)) : 0.0;
    char text[64];
    std::snprintf(text, sizeof text, "%.4f +- %.4f", mean, sd);
    return text;
}

}  // namespace

int runRetrainedAblations(const RetrainOptions& o, const AnalysisRequest& analysis) {
    json config = json::object();
    if (!o.trainConfig.empty()) {
        std::ifstream in(o.trainConfig);
        config = json::parse(in, nullptr, false);
        if (!in || config.is_discarded() || !config.is_object()) {
            std::fprintf(stderr, "error: %s: cannot read it as a JSON object of training settings\n", o.trainConfig.c_str());
            return 2;
        }
    }
    // The trainer's own reading of the config: what the model reads and whether it has a base.
    const auto settings = train::TrainConfig::fromJson(config, o.trainConfig.empty() ? "the training defaults" : o.trainConfig);
    if (!settings) {
        std::fprintf(stderr, "error: %s\n", settings.error().message.c_str());
        return 2;
    }
    const Modalities read = settings->modalities;
    const auto program = executablePath();
    if (program.empty()) {
        std::fprintf(stderr, "error: cannot find this program's own file to start the trainings (/proc/self/exe)\n");
        return 1;
    }
    // A base named by the config trains LoRA as much as one named by --base-model.
    auto rows = rowsFor(read, !o.baseModel.empty() || !settings->baseModel.empty());
    if (!o.rows.empty()) {
        std::vector<AblationRow> chosen;
        std::string known;
        for (const auto& row : rows) {
            known += (known.empty() ? "" : ", ") + row.folder;
            if (std::find(o.rows.begin(), o.rows.end(), row.folder) != o.rows.end()) chosen.push_back(row);
        }
        for (const auto& wanted : o.rows) {
            if (std::none_of(rows.begin(), rows.end(), [&](const AblationRow& row) { return row.folder == wanted; })) {
                std::fprintf(stderr, "error: --rows: \"%s\" is not a row of this config (%s)\n", wanted.c_str(), known.c_str());
                return 2;
            }
        }
        if (chosen.front().folder != "full") {
            std::fprintf(stderr, "error: --rows must include full (the inference-only column switches parts off in it)\n");
            return 2;
        }
        rows = std::move(chosen);
    }
    const fs::path out(o.out);
    json table = {{"dataset", analysis.dataset}, {"split", analysis.split}, {"seeds", o.seeds}, {"rows", json::array()}};
    std::vector<std::vector<Score>> retrained(rows.size()), inferenceOnly(rows.size());
    EvalTask task = EvalTask::Erc;
    for (const auto seed : o.seeds) {
        fs::path full;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const auto& row = rows[r];
            const auto folder = out / row.folder / ("seed-" + std::to_string(seed));
            std::error_code ec;
            fs::create_directories(folder.parent_path(), ec);
            const auto configFile = out / row.folder / ("config-seed-" + std::to_string(seed) + ".json");
            {
                std::ofstream file(configFile);
                file << rowConfig(config, row, read).dump(2) << '\n';
                file.close();
                if (ec || !file) {
                    std::fprintf(stderr, "error: %s: cannot write (%s); choose another --out\n", configFile.c_str(),
                                 ec ? ec.message().c_str() : "check the disk");
                    return 1;
                }
            }
            std::vector<std::string> argv{program,         "train",    "--dataset",         analysis.dataset, "--out",
                                          folder.string(), "--config", configFile.string(), "--seed",         std::to_string(seed),
                                          "--resume"};
            if (analysis.threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(analysis.threads)});
            if (o.epochs > 0) argv.insert(argv.end(), {"--epochs", std::to_string(o.epochs)});
            if (!o.baseModel.empty()) argv.insert(argv.end(), {"--base-model", o.baseModel});
            if (!o.featureCache.empty()) argv.insert(argv.end(), {"--features-cache", o.featureCache});
            std::printf("training %s, seed %llu ...\n", row.name.c_str(), static_cast<unsigned long long>(seed));
            std::fflush(stdout);
            const auto start = std::chrono::steady_clock::now();
            auto trained = runProcess(argv);
            if (!trained || trained->exitCode != 0) {
                std::fprintf(stderr, "error: training %s (seed %llu) failed; its folder is %s\n%s\n", row.name.c_str(),
                             static_cast<unsigned long long>(seed), folder.c_str(),
                             trained ? trained->output.c_str() : trained.error().message.c_str());
                return 1;
            }
            if (row.folder == "full") full = folder;
            auto score = scoreOf(analysis, folder.string(), "", task);
            if (!score) {
                std::fprintf(stderr, "error: %s\n", score.error().message.c_str());
                return 1;
            }
            retrained[r].push_back(*score);
            if (!row.ablate.empty() || r == 0) {
                auto ablated = scoreOf(analysis, full.string(), row.ablate, task);
                if (!ablated) {
                    std::fprintf(stderr, "error: %s\n", ablated.error().message.c_str());
                    return 1;
                }
                inferenceOnly[r].push_back(*ablated);
            }
            const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("  %s: %.4f retrained (%.0f s)\n", task == EvalTask::Erc ? "W-F1" : "MAE",
                        task == EvalTask::Erc ? score->second : score->first, seconds);
        }
    }
    const bool erc = task == EvalTask::Erc;
    const auto column = [&](const std::vector<Score>& scores, bool second) {
        std::vector<double> values;
        for (const auto& s : scores) values.push_back(second ? s.second : s.first);
        return values;
    };
    std::printf("\n%s on %s, %zu seed(s): mean +- sd\n", erc ? "ERC" : "MSA", analysis.split.empty() ? "all" : analysis.split.c_str(),
                o.seeds.size());
    std::printf("%-22s %-22s %-22s %-22s %-22s\n", "", erc ? "W-F1 retrained" : "MAE retrained",
                erc ? "W-F1 inference-only" : "MAE inference-only", erc ? "accuracy retrained" : "Acc-2 retrained",
                erc ? "accuracy inference-only" : "Acc-2 inference-only");
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const bool main = erc;  // W-F1 (second) for ERC, MAE (first) for MSA
        std::printf("%-22s %-22s %-22s %-22s %-22s\n", rows[r].name.c_str(), meanSd(column(retrained[r], main)).c_str(),
                    meanSd(column(inferenceOnly[r], main)).c_str(), meanSd(column(retrained[r], !main)).c_str(),
                    meanSd(column(inferenceOnly[r], !main)).c_str());
        json row = {{"name", rows[r].name}, {"folder", rows[r].folder}, {"ablate", rows[r].ablate}};
        row[erc ? "weighted_f1_retrained" : "mae_retrained"] = column(retrained[r], main);
        row[erc ? "weighted_f1_inference_only" : "mae_inference_only"] = column(inferenceOnly[r], main);
        row[erc ? "accuracy_retrained" : "acc2_retrained"] = column(retrained[r], !main);
        row[erc ? "accuracy_inference_only" : "acc2_inference_only"] = column(inferenceOnly[r], !main);
        table["rows"].push_back(row);
    }
    if (!o.json.empty()) {
        std::ofstream file(o.json);
        file << table.dump(2) << '\n';
        file.close();
        if (!file) {
            std::fprintf(stderr, "error: %s: cannot write the table; check the folder and the disk\n", o.json.c_str());
            return 1;
        }
    }
    return 0;
}

}  // namespace egmf::cli
