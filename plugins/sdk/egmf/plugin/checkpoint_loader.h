#pragma once
// The checkpoint plugin interface (ARCHITECTURE.md, Plugins). A plugin is a QObject that
// implements CheckpointLoader and declares Q_PLUGIN_METADATA(IID EGMF_CHECKPOINT_LOADER_IID FILE
// "plugin.json"). plugin.json says, before any of the plugin's code is loaded:
//   name, version, formats (what it reads, e.g. "egmf-folder"), architecture ("egmf",
//   "merits-l"), interface (this header's version), torch_version ("MAJOR.MINOR.PATCH" from the
//   TORCH_VERSION macros it was built with) and cxx11_abi (_GLIBCXX_USE_CXX11_ABI, 0 or 1).
// The host refuses a plugin whose IID or interface version differs, or whose LibTorch version or
// C++ ABI is not its own (an IID check alone cannot see that), with that reason.
//
// Contract: no exception leaves a method (errors are Result values naming the file); canLoad and
// inspect read no weights; load may call `control.progress` with 0..1 from the calling thread and stops
// when `control.cancelled()` (interface version 2 added the cancel); the
// Analyzer it returns is used by one thread at a time (egmf/analyzer.h). Header-only; C++20, Qt
// Core and the engine's torch-free public headers.

#include <QtPlugin>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "egmf/analyzer.h"
#include "egmf/checkpoint.h"
#include "egmf/checkpoint_info.h"
#include "egmf/result.h"

#define EGMF_CHECKPOINT_LOADER_IID "org.egmf.CheckpointLoader/2"

namespace egmf::plugin {

inline constexpr int kInterfaceVersion = 2;

/// Whether a plugin reads a path, and when not, why (shown in the plugin panel).
struct Verdict {
    bool ok = false;
    std::string reason;
};

class CheckpointLoader {
public:
    virtual ~CheckpointLoader() = default;
    virtual Verdict canLoad(const std::filesystem::path& path) const = 0;
    /// The manifest and tensor summary, without loading the weights.
    virtual Result<CheckpointInfo> inspect(const std::filesystem::path& path) const = 0;
    /// Reads the weights, on a worker thread of the host: `control.progress` takes 0..1, and a load
    /// that sees `control.cancelled()` stops soon with ErrorCode::Cancelled (the user may cancel
    /// a 7B model's load; loadNativeCheckpoint and loadHuggingFaceCheckpoint check it per tensor).
    /// `options` come resolved (device and dtype never "auto") and checked to fit.
    virtual Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions& options,
                                                   const LoadControl& control) = 0;
};

}  // namespace egmf::plugin

Q_DECLARE_INTERFACE(egmf::plugin::CheckpointLoader, EGMF_CHECKPOINT_LOADER_IID)
