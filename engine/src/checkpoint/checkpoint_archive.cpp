#include "egmf/checkpoint_archive.h"

#include <zip.h>

#include <fstream>
#include <memory>
#include <vector>

#include "egmf/app/sha256.h"
#include "egmf/paths.h"

namespace egmf {
namespace fs = std::filesystem;
namespace {

constexpr zip_int64_t kMaxEntries = 32;

struct ArchiveCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct EntryCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};

Error archiveError(const fs::path& file, const std::string& what) {
    return makeError(ErrorCode::Corrupt, file.string() + ": " + what + "; make the archive again with `egmf export --archive`");
}

/// A plain file name: no folder part, not "." or "..", not hidden, not empty.
bool plainName(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos && name[0] != '.';
}

}  // namespace

Result<void> packCheckpointArchive(const fs::path& folder, const fs::path& file) {
    if (!fs::is_directory(folder)) return makeError(ErrorCode::NotFound, folder.string() + ": not a checkpoint folder");
    int error = 0;
    zip_t* raw = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!raw) return makeError(ErrorCode::Io, file.string() + ": cannot create the archive (libzip error " + std::to_string(error) + ")");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.is_regular_file() && plainName(entry.path().filename().string())) files.push_back(entry.path());
    }
    for (const auto& path : files) {
        zip_source_t* source = zip_source_file(raw, path.c_str(), 0, -1);
        const auto index = source ? zip_file_add(raw, path.filename().c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) : -1;
        if (index < 0) {
            if (source) zip_source_free(source);
            zip_discard(raw);
            return makeError(ErrorCode::Io, file.string() + ": cannot add " + path.string());
        }
        zip_set_file_compression(raw, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    }
    if (zip_close(raw) != 0) {
        const std::string why = zip_strerror(raw);
        zip_discard(raw);
        return makeError(ErrorCode::Io, file.string() + ": cannot write the archive (" + why + ")");
    }
    return {};
}

Result<fs::path> unpackCheckpointArchive(const fs::path& file, const fs::path& cacheRoot) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return makeError(ErrorCode::NotFound, file.string() + ": cannot read the archive (" + ec.message() + ")");
    const auto time = fs::last_write_time(file, ec).time_since_epoch().count();
    const std::string key = fs::absolute(file).string() + "|" + std::to_string(size) + "|" + std::to_string(time);
    const auto keyHash = sha256Hex({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()}).substr(0, 16);
    const auto root = cacheRoot.empty() ? userCacheDir() / "archives" : cacheRoot;
    const auto target = root / (file.stem().string() + "-" + keyHash);
    if (fs::exists(target / ".complete")) return target;

    int error = 0;
    std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open(file.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error));
    if (!archive) return archiveError(file, "not a readable zip archive (libzip error " + std::to_string(error) + ")");
    const auto entries = zip_get_num_entries(archive.get(), 0);
    if (entries <= 0 || entries > kMaxEntries)
        return archiveError(file, "holds " + std::to_string(entries) + " entries; a checkpoint has a few files");
    const auto partial = root / (target.filename().string() + ".partial");
    removeTree(partial);
    fs::create_directories(partial, ec);
    if (ec) return makeError(ErrorCode::Io, partial.string() + ": cannot create (" + ec.message() + ")");
    std::vector<char> buffer(1 << 20);
    for (zip_int64_t i = 0; i < entries; ++i) {
        const char* rawName = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
        const std::string name = rawName ? rawName : "";
        if (!plainName(name)) {
            removeTree(partial);
            return archiveError(file, "entry \"" + name + "\" is not a plain file name (folders and \"..\" are refused)");
        }
        std::unique_ptr<zip_file_t, EntryCloser> entry(zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0));
        std::ofstream out(partial / name, std::ios::binary);
        if (!entry || !out) {
            removeTree(partial);
            return archiveError(file, "cannot unpack " + name);
        }
        zip_int64_t got;
        while ((got = zip_fread(entry.get(), buffer.data(), buffer.size())) > 0) out.write(buffer.data(), got);
        if (got < 0 || !out) {
            removeTree(partial);
            return archiveError(file, name + " is damaged (its data does not read back)");
        }
    }
    std::ofstream(partial / ".complete") << file.string() << '\n';
    removeTree(target);
    fs::rename(partial, target, ec);
    if (ec) return makeError(ErrorCode::Io, target.string() + ": cannot finish unpacking (" + ec.message() + ")");
    return target;
}

}  // namespace egmf
