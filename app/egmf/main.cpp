// egmf: the command line of EGMF Studio (analyze, eval, train, export, make-demo,
// inspect-checkpoint, bench). Subcommands arrive with their issues; see `egmf --help`.
#include "commands.h"

#ifndef EGMF_VERSION
#define EGMF_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
    CLI::App app{"egmf: analyse dialogues with EGMF checkpoints (the command line of EGMF Studio)"};
    app.set_version_flag("--version", "egmf " EGMF_VERSION);
    app.require_subcommand(1);
    auto bench = egmf::cli::addBenchCommand(app);
    auto inspect = egmf::cli::addInspectCheckpointCommand(app);
    auto tokenize = egmf::cli::addTokenizeCommand(app);
    auto dataset = egmf::cli::addDatasetCommand(app);
    auto eval = egmf::cli::addEvalCommand(app);
#ifdef EGMF_WITH_MEDIA
    auto features = egmf::cli::addFeaturesCommand(app);
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    for (auto* sub : app.get_subcommands()) {
        if (sub->get_name() == "bench") { return bench(); }
        if (sub->get_name() == "inspect-checkpoint") { return inspect(); }
        if (sub->get_name() == "tokenize") { return tokenize(); }
        if (sub->get_name() == "dataset") { return dataset(); }
        if (sub->get_name() == "eval") { return eval(); }
#ifdef EGMF_WITH_MEDIA
        if (sub->get_name() == "features") { return features(); }
#endif
    }
    return 2;
}
