// egmf ablation --checkpoint DIR --dataset PATH [--split test] [--permutations 10000] [--json FILE]
// egmf ablation --retrain --dataset PATH --out DIR [--config train.json] [--seeds 1,2,3] (ablation_retrain.h)
// The ablation table of a checkpoint on a split (like Table IV of the EGMF paper): the full model,
// each modality removed, each modality alone, each expert removed; scored over all utterances and
// over those tagged incongruent (the demo corpus). Then whether the experts' mean gates differ
// between congruent and incongruent utterances: permutation tests on the L1 distance between the
// two groups' mean gate vectors, over all positions and per modality. One feature cache serves
// every run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>

#include "ablation_retrain.h"
#include "analysis_run.h"
#include "commands.h"
#include "metrics_json.h"
#include "results_jsonl.h"

namespace egmf::cli {
namespace {

using nlohmann::json;

struct Variant {
    const char* name;
    const char* ablate;
};

constexpr Variant kVariants[] = {
    {"full model", ""},    {"w/o text", "t"},      {"w/o audio", "a"},         {"w/o visual", "v"},           {"text only", "a,v"},
    {"audio only", "t,v"}, {"visual only", "t,a"}, {"w/o local expert", "e1"}, {"w/o semantic expert", "e2"}, {"w/o global expert", "e3"},
};

bool tagged(const json& line, const std::string& tag) {
    const auto tags = line.find("tags");
    return tags != line.end() && tags->is_array() && std::find(tags->begin(), tags->end(), json(tag)) != tags->end();
}

using GateVector = std::vector<double>;

GateVector meanOf(const std::vector<GateVector>& gates, const std::vector<bool>& group, bool member) {
    GateVector sum(gates.empty() ? 0 : gates[0].size(), 0.0);
    int count = 0;
    for (std::size_t i = 0; i < gates.size(); ++i) {
        if (group[i] != member) continue;
        for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += gates[i][k];
        ++count;
    }
    for (auto& s : sum) s /= std::max(1, count);
    return sum;
}

double distance(const GateVector& a, const GateVector& b) {
    double d = 0;
    for (std::size_t k = 0; k < a.size(); ++k) d += std::abs(a[k] - b[k]);
    return d;
}

/// Permutation test of the L1 distance between the two groups' mean gate vectors.
json permutationTest(const std::vector<GateVector>& gates, const std::vector<bool>& incongruent, int permutations, std::uint64_t seed) {
    const auto congruentMean = meanOf(gates, incongruent, false), incongruentMean = meanOf(gates, incongruent, true);
    const double observed = distance(congruentMean, incongruentMean);
    std::mt19937_64 rng(seed);
    auto shuffled = incongruent;
    int atLeast = 0;
    for (int p = 0; p < permutations; ++p) {
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        atLeast += distance(meanOf(gates, shuffled, false), meanOf(gates, shuffled, true)) >= observed;
    }
    return {{"congruent", congruentMean},
            {"incongruent", incongruentMean},
            {"statistic", observed},
            {"p_value", (atLeast + 1.0) / (permutations + 1.0)}};
}

/// The gate tests over the full model's lines, on two vectors per utterance: the mean gate per
/// expert over all positions (3 values), and per modality's positions (text, audio, visual x 3
/// experts: the lanes the Studio draws; a modality without positions counts as 0). Null when a
/// group is empty.
json gateTest(const std::vector<json>& lines, int permutations, std::uint64_t seed) {
    std::vector<GateVector> overall, perModality;
    std::vector<bool> incongruent;
    const auto experts = [](const json& mean) {
        GateVector v;
        for (const char* e : kExpertNames) v.push_back(mean.is_object() ? mean.value(e, 0.0) : 0.0);
        return v;
    };
    for (const auto& line : lines) {
        if (!line.contains("gates") || !line["gates"]["mean"].is_object() || !(tagged(line, "congruent") || tagged(line, "incongruent")))
            continue;
        overall.push_back(experts(line["gates"]["mean"]));
        GateVector lanes;
        for (const char* modality : {"text", "audio", "visual"}) {
            const auto part = experts(line["gates"][modality]);
            lanes.insert(lanes.end(), part.begin(), part.end());
        }
        perModality.push_back(lanes);
        incongruent.push_back(tagged(line, "incongruent"));
    }
    const auto groupSize = std::count(incongruent.begin(), incongruent.end(), true);
    if (groupSize == 0 || groupSize == static_cast<long>(incongruent.size())) return nullptr;
    return {{"overall", permutationTest(overall, incongruent, permutations, seed)},
            {"per_modality", permutationTest(perModality, incongruent, permutations, seed)},
            {"permutations", permutations},
            {"utterances", {{"congruent", incongruent.size() - static_cast<std::size_t>(groupSize)}, {"incongruent", groupSize}}}};
}

}  // namespace

Command addAblationCommand(CLI::App& app) {
    auto* command = app.add_subcommand("ablation", "The ablation table of a checkpoint on a split, and the gate test");
    struct Options {
        AnalysisRequest request;
        int permutations = 10000;
        std::uint64_t seed = 1;
        std::string json;
        bool retrain = false;
        RetrainOptions retraining;
    };
    auto o = std::make_shared<Options>();
    addAnalysisOptions(*command, o->request, false, false);
    command->add_flag("--retrain", o->retrain,
                      "Train one model per ablation (the paper's Table IV) instead of switching parts off in --checkpoint");
    command->add_option("--out", o->retraining.out, "With --retrain: the folder of the trained models (resumed when run again)");
    command->add_option("--config", o->retraining.trainConfig, "With --retrain: the training config every row starts from");
    command->add_option("--base-model", o->retraining.baseModel,
                        "With --retrain: a Hugging Face base (LoRA trains; adds the w/o LoRA row)");
    command->add_option("--seeds", o->retraining.seeds, "With --retrain: the seeds, one model per row and seed")->delimiter(',');
    command->add_option("--epochs", o->retraining.epochs, "With --retrain: epochs per model (default: the config's)");
    command->add_option("--features-cache", o->retraining.featureCache, "With --retrain: the clip-feature cache the trainings share");
    command->add_option("--rows", o->retraining.rows, "With --retrain: only these rows (full, without-text, ..., without-lora)")
        ->delimiter(',');
    command->add_option("--permutations", o->permutations, "Permutations of the gate test")
        ->check(CLI::Range(100, 1000000))
        ->capture_default_str();
    command->add_option("--seed", o->seed, "Seed of the permutations")->capture_default_str();
    command->add_option("--json", o->json, "Also write everything as JSON here");
    return [o]() {
        if (o->retrain) {
            if (o->retraining.out.empty() || o->request.dataset.empty()) {
                std::fprintf(stderr, "error: --retrain needs --dataset and --out (where the trained models go)\n");
                return 2;
            }
            o->retraining.json = o->json;
#ifdef EGMF_WITH_MEDIA
            o->request.features = makeClipFeatureSource();  // one cache for every row's analyses
#endif
            return runRetrainedAblations(o->retraining, o->request);
        }
        if (o->request.dataset.empty()) {
            std::fprintf(stderr, "error: --dataset is required\n");
            return 2;
        }
#ifdef EGMF_WITH_MEDIA
        o->request.features = makeClipFeatureSource();  // one cache for all the runs below
#endif
        json out = {{"checkpoint", o->request.checkpoint}, {"dataset", o->request.dataset}, {"split", o->request.split}};
        std::vector<json> fullLines;
        EvalTask task = EvalTask::Erc;
        for (const auto& variant : kVariants) {
            auto request = o->request;
            request.ablate = variant.ablate;
            std::vector<json> lines;
            auto summary = runAnalysis(request, [&](const json& line) { lines.push_back(line); });
            if (!summary) {
                std::fprintf(stderr, "error: %s\n", summary.error().message.c_str());
                return 2;
            }
            task = summary->manifest.task == Task::Regression ? EvalTask::Msa : EvalTask::Erc;
            Scoring all, incongruent;
            incongruent.tag = "incongruent";
            if (task == EvalTask::Erc) all.labels = incongruent.labels = summary->manifest.labels;
            for (const auto& line : lines) {
                all.addResult(line, task, "prediction");
                incongruent.addResult(line, task, "prediction");
            }
            out["rows"].push_back({{"name", variant.name},
                                   {"ablate", variant.ablate},
                                   {"all", all.metrics(task)},
                                   {"incongruent", incongruent.metrics(task)}});
            if (std::string(variant.ablate).empty()) fullLines = std::move(lines);
        }
        out["gates"] = gateTest(fullLines, o->permutations, o->seed);
        const bool erc = task == EvalTask::Erc;
        std::printf("%-22s %10s %10s %16s %16s\n", "", erc ? "accuracy" : "MAE", erc ? "W-F1" : "Acc-2",
                    erc ? "incongr. acc" : "incongr. MAE", erc ? "incongr. W-F1" : "incongr. Acc-2");
        for (const auto& row : out["rows"]) {
            const auto value = [&](const json& m, const char* key) {
                return m.contains(key) && m[key].is_number() ? m[key].get<double>() : -1.0;
            };
            const char* first = erc ? "accuracy" : "mae";
            const char* second = erc ? "weighted_f1" : "acc2_nonnegative";
            std::printf("%-22s %10.4f %10.4f %16.4f %16.4f\n", row["name"].get<std::string>().c_str(), value(row["all"], first),
                        value(row["all"], second), value(row["incongruent"], first), value(row["incongruent"], second));
        }
        if (!out["gates"].is_null()) {
            const auto& g = out["gates"];
            for (const char* test : {"overall", "per_modality"}) {
                std::printf(
                    "\nmean gates %s (local, semantic, global%s):\n  congruent   %s\n  incongruent %s\n"
                    "  permutation test, L1 distance %.4f: p = %.5f (%d permutations)\n",
                    test, std::string(test) == "overall" ? "" : "; for text, audio, visual positions", g[test]["congruent"].dump().c_str(),
                    g[test]["incongruent"].dump().c_str(), g[test]["statistic"].get<double>(), g[test]["p_value"].get<double>(),
                    o->permutations);
            }
        }
        if (!o->json.empty()) {
            std::ofstream file(o->json);
            file << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
            if (!file) {
                std::fprintf(stderr, "error: %s: cannot write\n", o->json.c_str());
                return 1;
            }
        }
        return 0;
    };
}

}  // namespace egmf::cli
