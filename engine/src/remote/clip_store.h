#pragma once
// Clips clients uploaded because the server could not see them, stored once by the SHA-256 of
// their content (<state>/uploads/<hex>) under a size quota: the oldest go first when a new one
// needs room. An upload arrives in chunks; it is checked against its declared size as it comes
// and against its hash at the end, and only then takes its name.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "egmf/result.h"

namespace egmf::remote {

class ClipStore {
public:
    static constexpr std::size_t kMaxChunkBytes = 1u << 20;

    static Result<std::unique_ptr<ClipStore>> open(std::filesystem::path folder, std::uint64_t quotaBytes);
    /// The stored clip with this content hash.
    std::optional<std::filesystem::path> find(const std::string& sha256) const;

    class Upload {
    public:
        Result<void> add(const std::string& bytes);
        /// Checks the size and hash and stores the clip; returns its hash.
        Result<std::string> finish();
        ~Upload();
        Upload(Upload&&) = default;

    private:
        friend class ClipStore;
        Upload(ClipStore& store, std::string sha256, std::uint64_t size, std::filesystem::path temporary);
        ClipStore* m_store;
        std::string m_sha256;
        std::uint64_t m_size, m_received = 0;
        std::filesystem::path m_temporary;
        std::unique_ptr<std::ofstream> m_out;
    };
    /// An upload of `size` bytes whose content hashes to `sha256` (64 hex digits).
    Result<Upload> begin(const std::string& sha256, std::int64_t size);

private:
    ClipStore(std::filesystem::path folder, std::uint64_t quotaBytes);
    /// Removes the oldest clips until `incoming` more bytes fit the quota.
    void makeRoom(std::uint64_t incoming);
    std::filesystem::path m_folder;
    std::uint64_t m_quota;
    mutable std::mutex m_mutex;
    std::uint64_t m_nextTemporary = 0;
};

}  // namespace egmf::remote
