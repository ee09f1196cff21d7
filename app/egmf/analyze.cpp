// egmf analyze --checkpoint PATH --dataset PATH [--split S] [--dialogue ID] [--ablate LIST]
//              --out results.jsonl
// One JSON line per utterance (results_jsonl.h), written and flushed as each dialogue finishes,
// so an interrupted or crashed run keeps what it did. Exit 1 when some utterances failed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "analysis_run.h"
#include "commands.h"

namespace egmf::cli {

Command addAnalyzeCommand(CLI::App& app) {
    auto* command = app.add_subcommand("analyze", "Analyse a dataset's dialogues with a checkpoint; results as JSONL");
    struct Options {
        AnalysisRequest request;
        std::string out;
    };
    auto options = std::make_shared<Options>();
    addAnalysisOptions(*command, options->request, true);
    command->add_option("--out", options->out, "The results file (JSONL; - for standard output)")->required();
    return [options]() {
        const bool toStdout = options->out == "-";
        std::FILE* out = toStdout ? stdout : std::fopen(options->out.c_str(), "w");
        if (!out) {
            std::fprintf(stderr, "error: %s: cannot write here (%s); choose another --out\n", options->out.c_str(), std::strerror(errno));
            return 2;
        }
        bool writeFailed = false;
        auto summary = runAnalysis(options->request, [&](const nlohmann::json& line) {
            const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) writeFailed = true;
        });
        if (!toStdout && std::fclose(out) != 0) writeFailed = true;
        if (!summary.ok()) {
            std::fprintf(stderr, "error: %s\n", summary.error().message.c_str());
            return 2;
        }
        if (writeFailed) {
            std::fprintf(stderr, "error: %s: writing the results failed (disk full?); free space and run again\n", options->out.c_str());
            return 1;
        }
        std::fprintf(stderr, "%s%d utterances analysed in %.1f s on %s, %d failed%s%s\n", summary->interrupted ? "interrupted: " : "",
                     summary->utterances, summary->seconds, summary->device.c_str(), summary->failed, toStdout ? "" : " -> ",
                     toStdout ? "" : options->out.c_str());
        if (!options->request.bundle.empty()) {
            std::fprintf(stderr, "bundle %s: %.1f KB per utterance%s%s\n", options->request.bundle.c_str(),
                         summary->bundleBytesPerUtterance / 1024.0,
                         summary->bundleError.empty() ? "" : "; incomplete: ", summary->bundleError.c_str());
            if (!summary->bundleError.empty()) return 1;
        }
        return summary->interrupted || summary->failed > 0 ? 1 : 0;
    };
}

}  // namespace egmf::cli
