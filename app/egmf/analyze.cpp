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
#ifdef EGMF_WITH_BUNDLE
    addRankOptions(*command, options->request);
#endif
    return [options]() {
        auto& request = options->request;
        request.out = options->out;
        auto launch = cluster::readLaunchEnvironment(cluster::processEnvironment(), request.overrides);
        if (!launch.ok()) {
            std::fprintf(stderr, "error: %s\n", launch.error().message.c_str());
            return 2;
        }
        request.launch = *launch;
        // Only rank 0 writes the results file (from the merged parts); the other ranks write their part.
        const bool writes = request.launch.rank == 0;
        const bool toStdout = options->out == "-";
        std::FILE* out = !writes ? nullptr : toStdout ? stdout : std::fopen(options->out.c_str(), "w");
        if (writes && !out) {
            std::fprintf(stderr, "error: %s: cannot write here (%s); choose another --out\n", options->out.c_str(), std::strerror(errno));
            return 2;
        }
        bool writeFailed = false;
        auto summary = runAnalysis(request, [&](const nlohmann::json& line) {
            if (!out) return;
            const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) writeFailed = true;
        });
        if (out && !toStdout && std::fclose(out) != 0) writeFailed = true;
        if (!summary.ok()) {
            std::fprintf(stderr, "error: %s\n", summary.error().message.c_str());
            return 2;
        }
        if (writeFailed) {
            std::fprintf(stderr, "error: %s: writing the results failed (disk full?); free space and run again\n", options->out.c_str());
            return 1;
        }
        if (!summary->rankNote.empty()) {
            std::fprintf(stderr, "%s%s; %d utterances in %.1f s, %d failed\n", summary->interrupted ? "interrupted: " : "",
                         summary->rankNote.c_str(), summary->utterances, summary->seconds, summary->failed);
            return summary->interrupted || summary->failed > 0 ? 1 : 0;
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
