// egmf dataset check PATH [--clips] [--all]: reads a dataset (any layout) and prints its problems
// as a report (exit 1 when there are any): counts per kind first, then a few examples of each
// (a MELD folder without its clips has 13,708 missing clips; --all lists every one).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/dataset.h"
#include "progress_bar.h"
#ifdef EGMF_WITH_MEDIA
#include "egmf/app/clip_checks.h"
#endif

namespace egmf::cli {

Command addDatasetCommand(CLI::App& app) {
    auto* dataset = app.add_subcommand("dataset", "Dataset tools: `egmf dataset check PATH`");
    auto* check = dataset->add_subcommand("check", "Read a dataset (MELD, MMSA or a manifest CSV) and report its problems");
    dataset->require_subcommand(1);
    struct Options {
        std::string path;
        bool clips = false;
        double maxSeconds = 60.0;
        bool all = false;
    };
    auto options = std::make_shared<Options>();
    check->add_option("path", options->path, "A MELD or MMSA folder, or a manifest CSV")->required();
    check->add_flag("--all", options->all, "List every problem (default: counts per kind and the first 5 of each)");
#ifdef EGMF_WITH_MEDIA
    check->add_flag("--clips", options->clips, "Also open every clip (undecodable and too-long clips)");
    check->add_option("--max-seconds", options->maxSeconds, "Clips longer than this are reported")->capture_default_str();
#endif
    return [options]() {
        const auto* path = &options->path;
        auto loaded = readDataset(*path);
        if (!loaded.ok()) {
            std::fprintf(stderr, "error: %s\n", loaded.error().message.c_str());
            return 2;
        }
#ifdef EGMF_WITH_MEDIA
        if (options->clips) {
            ProgressBar bar("checking", "clips");
            data::checkClips(*loaded, {options->maxSeconds, [&bar](int done, int total) { bar.update(done, total); }});
            bar.finish();
        }
#endif
        std::printf("%s: %s, %zu dialogues, %zu utterances (train %zu, dev %zu, test %zu), %zu problems\n", path->c_str(),
                    loaded->kind.c_str(), loaded->dialogues.size(), loaded->utteranceCount(), loaded->utteranceCount("train"),
                    loaded->utteranceCount("dev"), loaded->utteranceCount("test"), loaded->problems.size());
        constexpr std::size_t kExamples = 5;
        const auto groups = groupProblems(loaded->problems, options->all ? loaded->problems.size() : kExamples);
        for (const auto& group : groups) std::printf("%8zu %s\n", group.count, problemKindName(group.kind));
        for (const auto& group : groups) {
            std::printf("%s (%zu):\n", problemKindName(group.kind), group.count);
            for (const auto* problem : group.examples) std::printf("  %s: %s\n", problem->where.c_str(), problem->message.c_str());
            if (group.count > group.examples.size()) {
                std::printf("  ... and %zu more (--all lists every one)\n", group.count - group.examples.size());
            }
        }
        return loaded->problems.empty() ? 0 : 1;
    };
}

}  // namespace egmf::cli
