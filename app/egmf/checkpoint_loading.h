#pragma once
// How the command line opens a checkpoint: through the plugin host (plugins/host), the same way
// the Studio does, so every checkpoint one opens the other opens too. In a build without Qt (the
// model-only build for the GPU machine) there are no plugins and native folders load directly.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"

namespace egmf::cli {

struct CheckpointSource {
    std::filesystem::path path;
    std::vector<std::string> pluginDirs;  ///< searched before the install prefix's plugin folder
};

/// Loads after checking it fits in memory (egmf/engine.h); `plugin` gets the plugin's name.
Result<std::unique_ptr<Analyzer>> openCheckpoint(const CheckpointSource& source, const LoadOptions& options, std::string* plugin = nullptr);
/// The manifest and tensor summary, without loading weights.
Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin = nullptr);

}  // namespace egmf::cli
