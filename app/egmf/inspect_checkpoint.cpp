// egmf inspect-checkpoint PATH: what a checkpoint holds, without loading the weights into a model.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "egmf/checkpoint_info.h"

namespace egmf::cli {

Command addInspectCheckpointCommand(CLI::App& app) {
    auto* inspect = app.add_subcommand("inspect-checkpoint",
                                       "Show a checkpoint's manifest and tensors, checking both");
    auto path = std::make_shared<std::string>();
    inspect->add_option("path", *path, "Checkpoint folder (manifest.json + model.safetensors)")
        ->required();
    return [path]() {
        auto info = inspectCheckpoint(*path);
        if (!info) {
            std::fprintf(stderr, "error: %s\n", info.error().message.c_str());
            return 2;
        }
        std::printf("%s", info->summary.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
