#pragma once
// What a native checkpoint holds, read without LibTorch and without loading the weights: the
// manifest, checked; the tensor table, checked against the safetensors rules and against the
// keys, shapes and dtypes the manifest's model needs. Anything wrong is an error listing every
// problem (missing, unexpected and wrong-shape keys), naming the file.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf {

struct CheckpointInfo {
    Manifest manifest;
    std::int64_t tensorCount = 0;
    std::int64_t parameterCount = 0;
    std::uint64_t weightBytes = 0;
    std::map<std::string, std::int64_t> parametersPerPart;  ///< by top-level key: llm, lora, fusion...
    std::map<std::string, std::int64_t> tensorsPerDtype;    ///< "F32" -> count
    std::string summaryJson;                                ///< all of the above as JSON (what `egmf inspect-checkpoint` prints)
};

Result<CheckpointInfo> inspectCheckpoint(const std::filesystem::path& folder);

}  // namespace egmf
