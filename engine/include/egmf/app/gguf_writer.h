#pragma once
// GGUF files (ggml's model format, version 3), written for llama.cpp to run the same weights as
// the engine: the yardstick of the LLM path. The layout, after ggml/docs/gguf.md:
//   "GGUF" u32 version, u64 tensor count, u64 key-value count
//   key-values: a string key, a u32 type, the value (strings as u64 length + bytes)
//   tensor infos: a string name, u32 dimension count, u64 dimensions (innermost first, the
//                 reverse of PyTorch's shape), u32 ggml type, u64 offset into the data section
//   padding to general.alignment (32), then each tensor's bytes at its aligned offset.
// Torch-free: tensors are float32 spans the caller keeps alive until write() returns.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "egmf/result.h"

namespace egmf::checkpoint {

class GgufWriter {
public:
    void setUint32(const std::string& key, std::uint32_t value) { m_values.push_back({key, value}); }
    void setFloat32(const std::string& key, float value) { m_values.push_back({key, value}); }
    void setBool(const std::string& key, bool value) { m_values.push_back({key, value}); }
    void setString(const std::string& key, const std::string& value) { m_values.push_back({key, value}); }
    /// A float32 tensor of PyTorch `shape` (outermost first), row-major.
    void addTensor(const std::string& name, std::vector<std::int64_t> shape, std::span<const float> data);

    Result<void> write(const std::filesystem::path& path) const;

    static constexpr std::uint32_t kAlignment = 32;

private:
    struct KeyValue {
        std::string key;
        std::variant<std::uint32_t, float, bool, std::string> value;
    };
    struct TensorEntry {
        std::string name;
        std::vector<std::int64_t> shape;
        std::span<const float> data;
    };
    std::vector<KeyValue> m_values;
    std::vector<TensorEntry> m_tensors;
};

}  // namespace egmf::checkpoint
