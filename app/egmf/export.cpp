// egmf export --results results.jsonl --format csv|json [--out FILE]: the results of
// `egmf analyze` as a flat CSV (one row per utterance: the columns a spreadsheet needs) or as one
// JSON array (every field).
// egmf export --checkpoint FOLDER --archive FILE.egmf: a native checkpoint as one file.
// egmf export --checkpoint FOLDER --peft DIR: its LoRA adapter as a PEFT adapter folder.
// egmf export --checkpoint FOLDER --huggingface DIR: a native checkpoint in the Hugging Face layout.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "egmf/app/csv.h"
#include "egmf/checkpoint_info.h"
#include "egmf/huggingface.h"
#ifdef EGMF_WITH_MEDIA
#include "egmf/checkpoint_archive.h"
#endif
#include "results_jsonl.h"

namespace egmf::cli {
namespace {

using nlohmann::json;

/// A JSON value as a CSV cell: strings bare, numbers as JSON writes them, null empty.
std::string cell(const json& value) {
    if (value.is_null()) return {};
    if (value.is_string()) return data::csvField(value.get<std::string>());
    return data::csvField(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

const json& at(const json& object, std::initializer_list<const char*> path) {
    static const json null;
    const json* node = &object;
    for (const char* key : path) {
        if (!node->is_object()) return null;
        const auto found = node->find(key);
        if (found == node->end()) return null;
        node = &*found;
    }
    return *node;
}

void writeCsv(const std::vector<json>& lines, std::ostream& out) {
    out << "id,dialogue,split,speaker,text,gold,prediction,scored_prediction,predicted_score,correct,confidence,"
           "gate_local,gate_semantic,gate_global,alpha,total_ms,tags,error\n";
    for (const auto& line : lines) {
        const auto& gold = at(line, {"gold"});
        const auto& prediction = at(line, {"prediction"});
        json correct;
        if (gold.is_string() && prediction.is_string()) correct = gold == prediction ? 1 : 0;
        json confidence;
        const auto& scored = at(line, {"scoredPrediction"});
        if (scored.is_string()) confidence = at(line, {"probabilities", scored.get<std::string>().c_str()});
        out << cell(at(line, {"id"})) << ',' << cell(at(line, {"dialogue"})) << ',' << cell(at(line, {"split"})) << ','
            << cell(at(line, {"speaker"})) << ',' << cell(at(line, {"text"})) << ',' << cell(gold) << ',' << cell(prediction) << ','
            << cell(scored) << ',' << cell(at(line, {"predictedScore"})) << ',' << cell(correct) << ',' << cell(confidence);
        for (const char* expert : kExpertNames) out << ',' << cell(at(line, {"gates", "mean", expert}));
        std::string tags;
        for (const auto& tag : at(line, {"tags"})) {
            if (tag.is_string()) tags += (tags.empty() ? "" : ";") + tag.get<std::string>();
        }
        out << ',' << cell(at(line, {"gates", "alpha"})) << ',' << cell(at(line, {"timings", "totalMs"})) << ',' << data::csvField(tags)
            << ',' << cell(at(line, {"error"})) << '\n';
    }
}

}  // namespace

Command addExportCommand(CLI::App& app) {
    auto* command = app.add_subcommand("export", "Convert the results of `egmf analyze` to CSV or JSON");
    struct Options {
        std::string results, format = "csv", out, checkpoint, archive, peft, huggingFace;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--results", options->results, "The JSONL written by `egmf analyze --out`");
    command->add_option("--checkpoint", options->checkpoint, "A checkpoint folder (with --archive, --peft or --huggingface)");
    command->add_option("--peft", options->peft, "Write the checkpoint's LoRA adapter as a PEFT adapter folder");
    command->add_option("--huggingface", options->huggingFace,
                        "Write a native checkpoint as a Hugging Face folder + PEFT adapter + fusion weights");
    command->add_option("--archive", options->archive, "Write the checkpoint folder as one .egmf file");
    command->add_option("--format", options->format, "csv | json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
    command->add_option("--out", options->out, "Where to write (default: standard output)");
    return [options]() {
        if (!options->peft.empty() || !options->huggingFace.empty()) {
            if (options->checkpoint.empty()) {
                std::fprintf(stderr, "error: --peft and --huggingface need --checkpoint FOLDER\n");
                return 2;
            }
            if (auto info = inspectCheckpoint(options->checkpoint); !info) {
                std::fprintf(stderr, "error: %s\n", info.error().message.c_str());
                return 2;
            }
            auto written = options->peft.empty() ? exportHuggingFaceCheckpoint(options->checkpoint, options->huggingFace)
                                                 : exportPeftAdapter(options->checkpoint, options->peft);
            if (!written) {
                std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
                return 2;
            }
            return 0;
        }
        if (!options->archive.empty()) {
#ifndef EGMF_WITH_MEDIA
            std::fprintf(stderr, "error: this build has no archive support (libzip); build the full configuration\n");
            return 2;
#else
            if (options->checkpoint.empty()) {
                std::fprintf(stderr, "error: --archive needs --checkpoint FOLDER\n");
                return 2;
            }
            if (auto info = inspectCheckpoint(options->checkpoint); !info) {
                std::fprintf(stderr, "error: %s\n", info.error().message.c_str());
                return 2;
            }
            if (auto packed = packCheckpointArchive(options->checkpoint, options->archive); !packed) {
                std::fprintf(stderr, "error: %s\n", packed.error().message.c_str());
                return 2;
            }
            return 0;
#endif
        }
        if (options->results.empty()) {
            std::fprintf(stderr, "error: give --results results.jsonl (or --checkpoint FOLDER --archive FILE.egmf)\n");
            return 2;
        }
        auto lines = readResults(options->results);
        if (!lines.ok()) {
            std::fprintf(stderr, "error: %s\n", lines.error().message.c_str());
            return 2;
        }
        std::ofstream file;
        if (!options->out.empty()) {
            file.open(options->out);
            if (!file) {
                std::fprintf(stderr, "error: %s: cannot write here; choose another --out\n", options->out.c_str());
                return 2;
            }
        }
        std::ostream& out = options->out.empty() ? std::cout : file;
        if (options->format == "csv") {
            writeCsv(*lines, out);
        } else {
            out << json(*lines).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
        }
        out.flush();
        if (!out) {
            std::fprintf(stderr, "error: %s: writing failed (disk full?)\n", options->out.empty() ? "stdout" : options->out.c_str());
            return 1;
        }
        return 0;
    };
}

}  // namespace egmf::cli
