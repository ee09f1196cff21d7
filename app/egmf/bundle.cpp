// egmf bundle: analysis bundles (egmf/app/analysis_bundle.h), written by `egmf analyze --bundle`.
//   egmf bundle show FILE                 what it holds, whether it is complete, clips changed since
//   egmf bundle merge PART... --out FILE  the complete parts of one run (one per rank) as one bundle
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/app/analysis_bundle.h"

namespace egmf::cli {

Command addBundleCommand(CLI::App& app) {
    auto* command = app.add_subcommand("bundle", "Analysis bundles: show one, merge the parts of a cluster run");
    command->require_subcommand(1);
    struct Options {
        std::string file, out;
        std::vector<std::string> parts;
    };
    auto options = std::make_shared<Options>();
    auto* show = command->add_subcommand("show", "What a bundle holds, whether it is complete, which clips changed since");
    show->add_option("file", options->file, "The bundle")->required();
    auto* merge = command->add_subcommand("merge", "Join the complete parts of one run (one per rank) into one bundle");
    merge->add_option("parts", options->parts, "The parts")->required();
    merge->add_option("--out", options->out, "The merged bundle (a new file)")->required();
    return [options, show, merge]() {
        if (merge->parsed()) {
            std::vector<std::filesystem::path> parts(options->parts.begin(), options->parts.end());
            if (auto merged = bundle::merge(parts, options->out); !merged.ok()) {
                std::fprintf(stderr, "error: %s\n", merged.error().message.c_str());
                return 2;
            }
            std::fprintf(stderr, "%zu parts merged -> %s\n", parts.size(), options->out.c_str());
            return 0;
        }
        (void)show;
        auto contents = bundle::read(options->file);
        if (!contents.ok()) {
            std::fprintf(stderr, "error: %s\n", contents.error().message.c_str());
            return 2;
        }
        const auto& id = contents->identity;
        std::size_t utterances = 0;
        for (const auto& [dialogue, result] : contents->dialogues) utterances += result.utterances.size();
        std::printf("%s: analysis bundle, format %d, made by %s\n", options->file.c_str(), contents->formatVersion, id.createdBy.c_str());
        std::printf("checkpoint %s (%s, %s %s), manifest.json SHA-256 %s\n", id.checkpoint.c_str(), id.loader.c_str(), id.device.c_str(),
                    id.dtype.c_str(), id.manifestSha256.empty() ? "(not read)" : id.manifestSha256.c_str());
        std::printf("dataset %s; part %d of %d\n", id.dataset.c_str(), id.rank + 1, id.ranks);
        std::printf("%zu dialogues, %zu utterances; %s\n", contents->dialogues.size(), utterances,
                    contents->complete
                        ? "complete"
                        : "incomplete (no completion record: the run was interrupted or is running; what it holds is whole)");
        const auto changed = bundle::changedClips(*contents);
        if (!changed.empty()) {
            std::printf("%zu of %zu clips differ from when they were analysed, e.g. %s\n", changed.size(), contents->clips.size(),
                        changed.front().c_str());
        }
        return contents->complete ? 0 : 1;
    };
}

}  // namespace egmf::cli
