// egmf: the command line of EGMF Studio (analyze, eval, export, dataset, inspect-checkpoint,
// tokenize, features, bench; train and make-demo arrive with their issue). See `egmf --help`.
#include <cstdio>
#include <map>

#include "commands.h"
#ifdef EGMF_WITH_MEDIA
#include "egmf/media_log.h"
#endif

#ifndef EGMF_VERSION
#define EGMF_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
    using namespace egmf::cli;
    CLI::App app{"egmf: analyse dialogues with EGMF checkpoints (the command line of EGMF Studio)"};
    app.set_version_flag("--version", "egmf " EGMF_VERSION);
    app.require_subcommand(1);
    // Accepted before or after the subcommand's name.
    bool verbose = false;
    app.add_flag("--verbose", verbose, "also print FFmpeg's own log lines (by default they are reported as the clip's warnings)");
    app.fallthrough();
    // Each adder registers its subcommand; the map runs the one that was chosen.
    std::map<std::string, Command> commands = {
        {"analyze", addAnalyzeCommand(app)},
        {"eval", addEvalCommand(app)},
        {"export", addExportCommand(app)},
        {"train", addTrainCommand(app)},
        {"ablation", addAblationCommand(app)},
        {"dataset", addDatasetCommand(app)},
        {"inspect-checkpoint", addInspectCheckpointCommand(app)},
        {"tokenize", addTokenizeCommand(app)},
        {"bench", addBenchCommand(app)},
#ifdef EGMF_WITH_PLUGINS
        {"plugins", addPluginsCommand(app)},
        {"plugin-probe", addPluginProbeCommand(app)},
#endif
#ifdef EGMF_WITH_REMOTE
        {"serve", addServeCommand(app)},
#endif
#ifdef EGMF_WITH_MEDIA
        {"features", addFeaturesCommand(app)},
        {"bundle", addBundleCommand(app)},
        {"cluster", addClusterCommand(app)},
        {"make-demo", addMakeDemoCommand(app)},
#endif
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
#ifdef EGMF_WITH_MEDIA
    egmf::setMediaLogVerbose(verbose);
#endif
    try {
        for (auto* sub : app.get_subcommands()) {
            if (const auto found = commands.find(sub->get_name()); found != commands.end()) return found->second();
        }
    } catch (const std::exception& e) {
        // Commands report their errors themselves; this is the net for a bug.
        std::fprintf(stderr, "error: egmf %s stopped: %s; please report this\n", app.get_subcommands().front()->get_name().c_str(),
                     e.what());
        return 2;
    }
    return 2;
}
