// egmf eval: metrics as JSON, from
//   --predictions FILE   a CSV with columns id,gold,pred, or the JSONL of `egmf analyze`;
//   --checkpoint --dataset [--split]   analysing first (the same path as `egmf analyze`).
// Utterances that failed, have no gold, or (MSA) gave no number are left out and counted.
#include <cstdio>
#include <fstream>
#include <memory>

#include "analysis_run.h"
#include "commands.h"
#include "egmf/app/csv.h"
#include "metrics_json.h"
#include "results_jsonl.h"

namespace egmf::cli {
namespace {

bool looksLikeJsonl(const std::string& path) {
    std::ifstream in(path);
    char c = 0;
    while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {}
    return c == '{';
}

/// The CSV form: columns gold and pred.
Result<Scoring> scoreCsv(const std::string& path, EvalTask task) {
    auto table = data::readCsv(path);
    if (!table.ok()) return table.error();
    const auto gold = table->column("gold"), pred = table->column("pred");
    if (!gold || !pred) return makeError(ErrorCode::Corrupt, path + ": needs the columns gold and pred (and id)");
    Scoring scoring;
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& row = table->rows[r];
        if (task == EvalTask::Erc) {
            scoring.goldLabels.push_back(row[*gold]);
            scoring.predictedLabels.push_back(row[*pred]);
            continue;
        }
        try {
            std::size_t usedGold = 0, usedPred = 0;
            scoring.goldScores.push_back(std::stod(row[*gold], &usedGold));
            scoring.predictedScores.push_back(std::stod(row[*pred], &usedPred));
            if (usedGold != row[*gold].size() || usedPred != row[*pred].size()) throw std::invalid_argument("trailing text");
        } catch (const std::exception&) {
            return makeError(ErrorCode::Corrupt,
                             path + ":" + std::to_string(table->rowLines[r]) + ": gold and pred must be numbers for an MSA task");
        }
    }
    return scoring;
}

int fail(const Error& error) {
    std::fprintf(stderr, "error: %s\n", error.message.c_str());
    return 2;
}

}  // namespace

Command addEvalCommand(CLI::App& app) {
    auto* command = app.add_subcommand("eval", "Score predictions against gold (ERC or MSA metrics, as JSON)");
    struct Options {
        std::string task, predictions, predictionField = "generated", out, tag;
        AnalysisRequest request;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--task", options->task, "erc | msa (MOSI/MOSEI scale) | msa-sims; default: erc, or the checkpoint's")
        ->check(CLI::IsMember({"erc", "msa", "msa-sims"}));
    command->add_option("--predictions", options->predictions, "A CSV with columns id,gold,pred, or the JSONL of `egmf analyze`");
    command
        ->add_option("--use", options->predictionField,
                     "Which prediction of a JSONL counts: generated (the model's answer) or scored (the best label)")
        ->check(CLI::IsMember({"generated", "scored"}))
        ->capture_default_str();
    command->add_option("--tag", options->tag, "Score only utterances with this tag (e.g. incongruent, on the demo corpus)");
    addAnalysisOptions(*command, options->request, false, false);
    command->add_option("--out", options->out, "With --checkpoint: also keep the results as JSONL here");
    return [options]() {
        const bool fromCheckpoint = !options->request.checkpoint.empty();
        if (fromCheckpoint == !options->predictions.empty() || (fromCheckpoint && options->request.dataset.empty())) {
            std::fprintf(stderr, "error: give either --predictions FILE, or --checkpoint PATH --dataset PATH [--split S]\n");
            return 2;
        }
        const auto field = options->predictionField == "scored" ? "scoredPrediction" : "prediction";
        Scoring scoring;
        scoring.tag = options->tag;
        auto task = parseEvalTask(options->task.empty() ? "erc" : options->task);
        int exitCode = 0;
        if (!fromCheckpoint && !looksLikeJsonl(options->predictions)) {
            if (!options->tag.empty()) {
                std::fprintf(stderr, "error: %s: a CSV has no tags; --tag needs the JSONL of `egmf analyze`\n",
                             options->predictions.c_str());
                return 2;
            }
            auto scored = scoreCsv(options->predictions, *task);
            if (!scored.ok()) return fail(scored.error());
            scoring = std::move(*scored);
        } else if (!fromCheckpoint) {
            auto lines = readResults(options->predictions);
            if (!lines.ok()) return fail(lines.error());
            for (const auto& line : *lines) scoring.addResult(line, *task, field);
        } else {
            std::unique_ptr<std::ofstream> keep;
            if (!options->out.empty()) {
                keep = std::make_unique<std::ofstream>(options->out);
                if (!*keep) return fail(makeError(ErrorCode::Io, options->out + ": cannot write here; choose another --out"));
            }
            std::vector<nlohmann::json> lines;
            auto summary = runAnalysis(options->request, [&](const nlohmann::json& line) {
                lines.push_back(line);
                if (keep) *keep << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
            });
            if (!summary.ok()) return fail(summary.error());
            if (options->task.empty()) task = summary->manifest.task == Task::Regression ? EvalTask::Msa : EvalTask::Erc;
            if (*task == EvalTask::Erc) scoring.labels = summary->manifest.labels;
            for (const auto& line : lines) scoring.addResult(line, *task, field);
            if (summary->interrupted) std::fprintf(stderr, "interrupted: scoring the %d utterances analysed\n", summary->utterances);
            exitCode = summary->interrupted ? 1 : 0;
        }
        if (scoring.failed > 0) exitCode = 1;
        std::printf("%s\n", scoring.metrics(*task).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return exitCode;
    };
}

}  // namespace egmf::cli
