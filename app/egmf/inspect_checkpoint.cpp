// egmf inspect-checkpoint PATH: validates a checkpoint without loading it into a model (the
// manifest, the safetensors rules, keys and shapes against the manifest, the tokenizer file) and
// prints its summary as JSON, with the memory a load would take. Anything invalid exits 2.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "checkpoint_loading.h"
#include "commands.h"
#include "egmf/app/tokenizer.h"
#include "egmf/checkpoint_info.h"
#include "egmf/engine.h"

namespace egmf::cli {

Command addInspectCheckpointCommand(CLI::App& app) {
    auto* inspect = app.add_subcommand("inspect-checkpoint", "Validate a checkpoint and print its summary as JSON");
    auto path = std::make_shared<std::string>();
    auto dirs = std::make_shared<std::vector<std::string>>();
    inspect->add_option("path", *path, "A checkpoint any plugin reads (a native folder, a .egmf archive, ...)")->required();
    inspect->add_option("--plugin-dir", *dirs, "A folder of checkpoint plugins, searched before the installed ones");
    return [path, dirs]() {
        std::string plugin;
        auto info = inspectCheckpointSource({*path, *dirs}, &plugin);
        if (!info) {
            std::fprintf(stderr, "error: %s\n", info.error().message.c_str());
            return 2;
        }
        const auto& manifest = info->manifest;
        // A native folder's tokenizer file is read too (archives are checked when unpacked).
        if (std::filesystem::is_directory(*path)) {
            auto tokenizer = tokenizer::makeCheckpointTokenizer(manifest, *path);
            if (!tokenizer) {
                std::fprintf(stderr, "error: %s\n", tokenizer.error().message.c_str());
                return 2;
            }
        }
        auto summary = nlohmann::json::parse(info->summaryJson);
        summary["plugin"] = plugin;
        summary["memoryEstimateBytes"] = {{"float32", estimateLoadedBytes(manifest, "float32")},
                                          {"bfloat16", estimateLoadedBytes(manifest, "bfloat16")}};
        std::printf("%s\n", summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return 0;
    };
}

}  // namespace egmf::cli
