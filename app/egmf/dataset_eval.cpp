// egmf dataset check PATH: reads a dataset (any layout) and prints its problems (exit 1 when there are any).
// egmf eval --task erc|msa[-sims] --predictions FILE: metrics of a CSV with columns id,gold,pred, as JSON.
#include <cstdio>
#include <unistd.h>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "data/csv.h"
#include "egmf/dataset.h"
#include "eval/metrics.h"
#ifdef EGMF_WITH_MEDIA
#include "data/clip_checks.h"
#endif

namespace egmf::cli {
namespace {

nlohmann::json optional(const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(); }

}  // namespace

Command addDatasetCommand(CLI::App& app) {
    auto* dataset = app.add_subcommand("dataset", "Dataset tools: `egmf dataset check PATH`");
    auto* check = dataset->add_subcommand("check", "Read a dataset (MELD, MMSA or a manifest CSV) and report its problems");
    dataset->require_subcommand(1);
    struct Options {
        std::string path;
        bool clips = false;
        double maxSeconds = 60.0;
    };
    auto options = std::make_shared<Options>();
    check->add_option("path", options->path, "A MELD or MMSA folder, or a manifest CSV")->required();
#ifdef EGMF_WITH_MEDIA
    check->add_flag("--clips", options->clips, "Also open every clip (undecodable and too-long clips)");
    check->add_option("--max-seconds", options->maxSeconds, "Clips longer than this are reported")->capture_default_str();
#endif
    return [options]() {
        const auto* path = &options->path;
        auto meld = readDataset(*path);
        if (!meld.ok()) {
            std::fprintf(stderr, "error: %s\n", meld.error().message.c_str());
            return 2;
        }
#ifdef EGMF_WITH_MEDIA
        if (options->clips) {
            const bool terminal = ::isatty(2);
            data::checkClips(*meld, {options->maxSeconds, [terminal](int done, int total) {
                                         if (terminal && (done % 50 == 0 || done == total)) {
                                             std::fprintf(stderr, "\rchecking clips: %d / %d", done, total);
                                             if (done == total) std::fprintf(stderr, "\n");
                                         }
                                     }});
        }
#endif
        std::printf("%s: %s, %zu dialogues, %zu utterances (train %zu, dev %zu, test %zu), %zu problems\n", path->c_str(),
                    meld->kind.c_str(),
                    meld->dialogues.size(), meld->utteranceCount(), meld->utteranceCount("train"),
                    meld->utteranceCount("dev"), meld->utteranceCount("test"), meld->problems.size());
        std::map<std::string, int> byKind;
        for (const auto& problem : meld->problems) {
            ++byKind[problemKindName(problem.kind)];
            std::printf("  %s: %s: %s\n", problemKindName(problem.kind), problem.where.c_str(), problem.message.c_str());
        }
        for (const auto& [kind, count] : byKind) std::printf("%6d %s\n", count, kind.c_str());
        return meld->problems.empty() ? 0 : 1;
    };
}

Command addEvalCommand(CLI::App& app) {
    auto* command = app.add_subcommand("eval", "Score predictions against gold (ERC or MSA metrics, as JSON)");
    struct Options {
        std::string task = "erc", predictions;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--task", options->task, "erc | msa (MOSI/MOSEI scale) | msa-sims")
        ->check(CLI::IsMember({"erc", "msa", "msa-sims"}))->capture_default_str();
    command->add_option("--predictions", options->predictions, "CSV with columns id,gold,pred")->required();
    return [options]() {
        auto table = data::readCsv(options->predictions);
        if (!table.ok()) {
            std::fprintf(stderr, "error: %s\n", table.error().message.c_str());
            return 2;
        }
        const auto gold = table->column("gold"), pred = table->column("pred");
        if (!gold || !pred) {
            std::fprintf(stderr, "error: %s: needs the columns gold and pred (and id)\n", options->predictions.c_str());
            return 2;
        }
        nlohmann::json out;
        if (options->task == "erc") {
            std::vector<std::string> g, p;
            for (const auto& row : table->rows) g.push_back(row[*gold]), p.push_back(row[*pred]);
            const auto report = eval::classify(g, p);
            out = {{"count", report.count}, {"accuracy", report.accuracy}, {"weighted_f1", report.weightedF1},
                   {"macro_f1", report.macroF1}, {"kappa", optional(report.kappa)}, {"labels", report.labels},
                   {"confusion", report.confusion}};
            for (const auto& c : report.perClass) {
                out["per_class"][c.label] = {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
            }
        } else {
            std::vector<double> g, p;
            for (std::size_t r = 0; r < table->rows.size(); ++r) {
                try {
                    std::size_t usedG = 0, usedP = 0;
                    g.push_back(std::stod(table->rows[r][*gold], &usedG));
                    p.push_back(std::stod(table->rows[r][*pred], &usedP));
                    if (usedG != table->rows[r][*gold].size() || usedP != table->rows[r][*pred].size()) throw std::invalid_argument("x");
                } catch (const std::exception&) {
                    std::fprintf(stderr, "error: %s:%d: gold and pred must be numbers for --task %s\n", options->predictions.c_str(),
                                 table->rowLines[r], options->task.c_str());
                    return 2;
                }
            }
            const auto r = eval::regress(g, p, options->task == "msa" ? eval::MsaScale::Mosi : eval::MsaScale::Sims);
            out = {{"count", r.count}, {"mae", r.mae}, {"pearson", optional(r.pearson)}};
            if (options->task == "msa") {
                out.update({{"acc2_nonnegative", optional(r.acc2NonNegative)}, {"f1_nonnegative", optional(r.f1NonNegative)},
                            {"acc2_nonzero", optional(r.acc2NonZero)}, {"f1_nonzero", optional(r.f1NonZero)},
                            {"acc7", optional(r.acc7)}, {"acc5", optional(r.acc5)}});
            } else {
                out.update({{"acc2", optional(r.acc2)}, {"f1", optional(r.f1)}, {"acc3", optional(r.acc3)},
                            {"acc5", optional(r.acc5)}, {"acc2_weak", optional(r.acc2Weak)}});
            }
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    };
}

}  // namespace egmf::cli
