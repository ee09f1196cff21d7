#include "clip_store.h"

#include <algorithm>
#include <vector>

#include "egmf/app/sha256.h"

namespace egmf::remote {
namespace {

bool isHash(const std::string& text) {
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

ClipStore::ClipStore(std::filesystem::path folder, std::uint64_t quotaBytes) : m_folder(std::move(folder)), m_quota(quotaBytes) {}

Result<std::unique_ptr<ClipStore>> ClipStore::open(std::filesystem::path folder, std::uint64_t quotaBytes) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return makeError(ErrorCode::Io, folder.string() + ": the uploads folder cannot be made (" + ec.message() + ")");
    // Uploads cut off by a stopped server leave their partial files: nothing names them.
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.path().extension() == ".part") std::filesystem::remove(entry.path(), ec);
    return std::unique_ptr<ClipStore>(new ClipStore(std::move(folder), quotaBytes));
}

std::optional<std::filesystem::path> ClipStore::find(const std::string& sha256) const {
    if (!isHash(sha256)) return std::nullopt;
    std::lock_guard lock(m_mutex);
    const auto file = m_folder / sha256;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
    return file;
}

Result<ClipStore::Upload> ClipStore::begin(const std::string& sha256, std::int64_t size) {
    if (!isHash(sha256))
        return makeError(ErrorCode::InvalidArgument, "an upload must name its content's SHA-256 (64 lowercase hex digits)");
    if (size <= 0) return makeError(ErrorCode::InvalidArgument, "an upload must give its size in bytes");
    if (static_cast<std::uint64_t>(size) > m_quota) {
        return makeError(ErrorCode::InvalidArgument, "the clip (" + std::to_string(size) +
                                                         " bytes) is larger than this server's upload quota (" + std::to_string(m_quota) +
                                                         " bytes); put it under a --data-root instead");
    }
    std::lock_guard lock(m_mutex);
    const auto temporary = m_folder / (sha256 + "." + std::to_string(m_nextTemporary++) + ".part");
    return Upload(*this, sha256, static_cast<std::uint64_t>(size), temporary);
}

ClipStore::Upload::Upload(ClipStore& store, std::string sha256, std::uint64_t size, std::filesystem::path temporary)
    : m_store(&store),
      m_sha256(std::move(sha256)),
      m_size(size),
      m_temporary(std::move(temporary)),
      m_out(std::make_unique<std::ofstream>(m_temporary, std::ios::binary)) {}

ClipStore::Upload::~Upload() {
    if (m_out) {
        m_out.reset();
        std::error_code ec;
        std::filesystem::remove(m_temporary, ec);
    }
}

Result<void> ClipStore::Upload::add(const std::string& bytes) {
    if (bytes.size() > kMaxChunkBytes) return makeError(ErrorCode::InvalidArgument, "an upload chunk is larger than 1 MiB");
    if (m_received + bytes.size() > m_size) return makeError(ErrorCode::InvalidArgument, "the upload is longer than the size it declared");
    if (!*m_out || !m_out->write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
        return makeError(ErrorCode::Io, "the server cannot store the upload (disk full?)");
    }
    m_received += bytes.size();
    return {};
}

Result<std::string> ClipStore::Upload::finish() {
    m_out->close();
    const bool written = !m_out->fail();
    m_out.reset();
    std::error_code ec;
    auto fail = [&](Error error) {
        std::filesystem::remove(m_temporary, ec);
        return error;
    };
    if (!written) return fail(makeError(ErrorCode::Io, "the server cannot store the upload (disk full?)"));
    if (m_received != m_size) {
        return fail(makeError(ErrorCode::InvalidArgument, "the upload ended after " + std::to_string(m_received) + " of the " +
                                                              std::to_string(m_size) + " bytes it declared"));
    }
    const auto hash = sha256File(m_temporary);
    if (!hash.ok() || *hash != m_sha256)
        return fail(makeError(ErrorCode::Corrupt, "the upload's content does not hash to the SHA-256 it declared"));
    m_store->makeRoom(m_size);
    std::lock_guard lock(m_store->m_mutex);
    std::filesystem::rename(m_temporary, m_store->m_folder / m_sha256, ec);
    if (ec) return fail(makeError(ErrorCode::Io, "the server cannot store the upload (" + ec.message() + ")"));
    return m_sha256;
}

void ClipStore::makeRoom(std::uint64_t incoming) {
    std::lock_guard lock(m_mutex);
    struct Stored {
        std::filesystem::path path;
        std::filesystem::file_time_type at;
        std::uint64_t size;
    };
    std::vector<Stored> stored;
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(m_folder, ec)) {
        if (!entry.is_regular_file(ec) || !isHash(entry.path().filename().string())) continue;
        stored.push_back({entry.path(), entry.last_write_time(ec), entry.file_size(ec)});
        total += stored.back().size;
    }
    std::sort(stored.begin(), stored.end(), [](const Stored& a, const Stored& b) { return a.at < b.at; });
    for (const auto& s : stored) {
        if (total + incoming <= m_quota) break;
        std::filesystem::remove(s.path, ec);
        total -= s.size;
    }
}

}  // namespace egmf::remote
