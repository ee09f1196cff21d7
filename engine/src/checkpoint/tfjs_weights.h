#pragma once
// TensorFlow.js weight files: a JSON manifest `[{paths: [...], weights: [{name, shape, dtype,
// quantization?}]}]` and the binary shards it names, the tensors laid back to back in manifest
// order. Quantised tensors (uint8/uint16) dequantise as q * scale + min. Torch-free, so the
// reader is fuzzed and hostile files are refused before any tensor exists: shard names may not
// leave the manifest's folder, and the byte count must match the manifest exactly.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::checkpoint {

struct TfjsWeight {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;  ///< row-major in TF.js's layout (filters are HWIO)
};

/// Reads the manifest and every shard it names, in order.
Result<std::vector<TfjsWeight>> readTfjsWeights(const std::filesystem::path& manifestFile);

/// The same from memory: `shards` holds the bytes of the shards concatenated (for fuzzing).
Result<std::vector<TfjsWeight>> parseTfjsWeights(const std::string& manifestText, const std::vector<std::uint8_t>& shards,
                                                 const std::string& sourceName);

}  // namespace egmf::checkpoint
