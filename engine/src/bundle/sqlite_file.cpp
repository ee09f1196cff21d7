#include "sqlite_file.h"

namespace egmf::bundle {

Result<SqliteFile> SqliteFile::open(const std::filesystem::path& file, bool writable) {
    sqlite3* db = nullptr;
    const int flags = writable ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        return makeError(writable ? ErrorCode::Io : ErrorCode::NotFound,
                         file.string() + ": cannot be opened (" + reason + ")" + (writable ? "; check the folder is writable" : ""));
    }
    sqlite3_busy_timeout(db, 5000);
    return SqliteFile(db, file);
}

SqliteFile::~SqliteFile() {
    sqlite3_close(m_db);
}

Result<void> SqliteFile::exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string reason = message ? message : "unknown error";
        sqlite3_free(message);
        return makeError(ErrorCode::Io, m_file.string() + ": " + reason);
    }
    return {};
}

Error SqliteFile::error(const std::string& what) const {
    return makeError(ErrorCode::Io, m_file.string() + ": " + what + " (" + sqlite3_errmsg(m_db) + ")");
}

Statement::Statement(SqliteFile& file, const char* sql) {
    if (sqlite3_prepare_v2(file.db(), sql, -1, &m_statement, nullptr) != SQLITE_OK) m_statement = nullptr;
}

Statement& Statement::bind(int index, const std::string& text) {
    sqlite3_bind_text(m_statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_statement, index, value);
    return *this;
}

Statement& Statement::bindBlob(int index, const void* data, std::size_t bytes) {
    sqlite3_bind_blob(m_statement, index, bytes ? data : "", static_cast<int>(bytes), SQLITE_TRANSIENT);
    return *this;
}

std::string Statement::text(int column) const {
    const auto* value = sqlite3_column_text(m_statement, column);
    return value ? std::string(reinterpret_cast<const char*>(value), static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                 : std::string();
}

std::vector<unsigned char> Statement::blob(int column) const {
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(m_statement, column));
    const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column));
    return data ? std::vector<unsigned char>(data, data + bytes) : std::vector<unsigned char>();
}

}  // namespace egmf::bundle
