#pragma once
// safetensors: an 8-byte little-endian header length N, N bytes of JSON header, then the data.
// The header is checked completely before any tensor byte is touched (ARCHITECTURE.md): at most
// 100 MB, valid UTF-8 JSON, no duplicate keys, no NUL in names, known dtypes, every size
// overflow-checked, dtype x shape == byte span, and the spans, sorted by begin, contiguous and
// covering the data section exactly. Files are memory-mapped; TensorEntry::bytes points into the
// mapping, which the SafetensorsFile owns.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "egmf/result.h"

namespace egmf::checkpoint {

inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

enum class DType { F32, F16, BF16, I64, I32, U8, BOOL };

std::size_t dtypeSize(DType dtype);
std::string_view dtypeName(DType dtype);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  ///< offset into the data section
    std::uint64_t end = 0;
    std::span<const std::byte> bytes;  ///< filled once the data section is known

    std::uint64_t byteSize() const { return end - begin; }
};

struct SafetensorsHeader {
    std::vector<TensorEntry> tensors;  ///< in file order of their data (sorted by begin)
    std::map<std::string, std::string> metadata;
    std::uint64_t dataOffset = 0;  ///< 8 + header length
};

/// Validates a whole file's bytes (header and layout); entries' `bytes` point into `file`.
/// `sourceName` names the file in errors.
Result<SafetensorsHeader> parseSafetensors(std::span<const std::byte> file, const std::string& sourceName);

/// A read-only memory mapping of a file.
class MappedFile {
public:
    static Result<std::shared_ptr<MappedFile>> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::span<const std::byte> bytes() const { return {m_data, m_size}; }

private:
    MappedFile(const std::byte* data, std::size_t size) : m_data(data), m_size(size) {}
    const std::byte* m_data;
    std::size_t m_size;
};

/// A parsed, mapped safetensors file. Cheap to move; tensors stay valid while it lives.
class SafetensorsFile {
public:
    static Result<SafetensorsFile> open(const std::filesystem::path& path);
    const std::vector<TensorEntry>& tensors() const { return m_header.tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_header.metadata; }
    const TensorEntry* find(std::string_view name) const;
    /// The mapping the entries point into (a tensor that aliases it keeps it alive).
    std::shared_ptr<MappedFile> mapping() const { return m_mapping; }

private:
    std::shared_ptr<MappedFile> m_mapping;
    SafetensorsHeader m_header;
    std::map<std::string, std::size_t, std::less<>> m_index;
};

/// A tensor to write: raw little-endian bytes of dtype x shape.
struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> bytes;
};

/// Writes tensors (sorted by name, as the reference writers do) with optional metadata; the
/// header is padded with spaces to a multiple of 8 bytes so the data is aligned. Writes to a
/// temporary file and renames it, so a crash never leaves half a checkpoint.
Result<void> writeSafetensors(const std::filesystem::path& path, std::vector<TensorToWrite> tensors,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace egmf::checkpoint
