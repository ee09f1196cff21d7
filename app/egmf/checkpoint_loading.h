#pragma once
// How the command line opens a checkpoint: through the plugin host (plugins/host), the same way
// the Studio does, so every checkpoint one opens the other opens too. In a build without Qt (the
// model-only build for the GPU machine) there are no plugins and native folders load directly.
// Either way it is the engine's one road (egmf/local_engine.h: an opener, then its PreparedLoad).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "egmf/local_engine.h"

namespace egmf::cli {

struct CheckpointSource {
    std::filesystem::path path;
    std::vector<std::string> pluginDirs;  ///< searched before the install prefix's plugin folder
};

/// The opener an engine of this command uses (the plugins of `pluginDirs` and the installed ones).
CheckpointOpener checkpointOpener(const std::vector<std::string>& pluginDirs);
/// Loads on this thread after checking it fits in memory; `plugin` gets the loader's name.
Result<std::unique_ptr<Analyzer>> openCheckpoint(const CheckpointSource& source, const LoadOptions& options, std::string* plugin = nullptr);
/// The manifest and tensor summary, without loading weights.
Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin = nullptr);

}  // namespace egmf::cli
