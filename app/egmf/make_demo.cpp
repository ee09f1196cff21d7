// egmf make-demo --out DIR [--seed N] [--split S] [--dialogues N] [--workers N]: the demo dialogue corpus in the
// MELD layout (engine/src/demo), with a progress bar; prints the counts per split.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/app/demo_render.h"
#include "progress_bar.h"

namespace egmf::cli {

Command addMakeDemoCommand(CLI::App& app) {
    auto* command = app.add_subcommand("make-demo", "Render the demo dialogue corpus (MELD layout: CSVs + clips) into a folder");
    struct Options {
        std::string out, split;
        std::uint64_t seed = 2026;
        demo::RenderOptions render;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--out", options->out, "The folder to write (created if missing)")->required();
    command->add_option("--seed", options->seed, "Seed of the script (the same seed gives the same corpus)")->capture_default_str();
    command->add_option("--split", options->split, "Render only this split: train | dev | test")
        ->check(CLI::IsMember({"train", "dev", "test"}));
    command->add_option("--dialogues", options->render.dialogues, "Only the first N dialogues of each split (a small corpus for tests)")
        ->check(CLI::Range(1, 100000));
    command->add_option("--workers", options->render.workers, "Clips rendered at once")->check(CLI::Range(1, 64))->capture_default_str();
    command->add_option("--width", options->render.width)->check(CLI::Range(160, 1920))->capture_default_str();
    command->add_option("--height", options->render.height)->check(CLI::Range(120, 1080))->capture_default_str();
    return [options]() {
        ProgressBar bar("rendering", "clips");
        auto render = options->render;
        render.onlySplit = options->split;
        render.progress = [&bar](int done, int total) { bar.update(done, total); };
        auto report = demo::renderCorpus(demo::writeScript(options->seed), options->out, render);
        bar.finish();
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        int utterances = 0;
        for (const auto& [split, counts] : report->splits) {
            std::printf("%-5s %3d dialogues, %4d utterances, %3d incongruent\n", split.c_str(), counts.dialogues, counts.utterances,
                        counts.incongruent);
            utterances += counts.utterances;
        }
        std::printf("%d clips, %.0f s of dialogue, rendered in %.1f s -> %s\n", utterances, report->audioSeconds, report->seconds,
                    options->out.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
