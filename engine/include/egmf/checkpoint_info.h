#pragma once
// What a native checkpoint holds, read without LibTorch: the manifest, checked, and the tensor
// table, checked against the format's rules (not yet against the model: loading does that).

#include <cstdint>
#include <filesystem>
#include <string>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf {

struct CheckpointInfo {
    Manifest manifest;
    std::int64_t tensorCount = 0;
    std::int64_t parameterCount = 0;
    std::uint64_t weightBytes = 0;
    std::string summary;  ///< human-readable, several lines
};

Result<CheckpointInfo> inspectCheckpoint(const std::filesystem::path& folder);

}  // namespace egmf
