#pragma once
// A thin layer over SQLite for the bundle: a connection that names its file in every error, and
// a prepared statement that finalizes itself.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::bundle {

class SqliteFile {
public:
    static Result<SqliteFile> open(const std::filesystem::path& file, bool writable);
    SqliteFile(SqliteFile&& other) noexcept : m_db(other.m_db), m_file(std::move(other.m_file)) { other.m_db = nullptr; }
    SqliteFile& operator=(SqliteFile&&) = delete;
    ~SqliteFile();

    Result<void> exec(const std::string& sql);
    /// "file: what failed (SQLite's reason)".
    Error error(const std::string& what) const;
    sqlite3* db() const { return m_db; }
    const std::filesystem::path& file() const { return m_file; }

private:
    SqliteFile(sqlite3* db, std::filesystem::path file) : m_db(db), m_file(std::move(file)) {}
    sqlite3* m_db;
    std::filesystem::path m_file;
};

class Statement {
public:
    Statement(SqliteFile& file, const char* sql);
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return m_statement != nullptr; }

    Statement& bind(int index, const std::string& text);
    Statement& bind(int index, std::int64_t value);
    Statement& bindBlob(int index, const void* data, std::size_t bytes);
    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(m_statement); }
    void reset() {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
    std::string text(int column) const;
    std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }
    std::vector<unsigned char> blob(int column) const;

private:
    sqlite3_stmt* m_statement = nullptr;
};

}  // namespace egmf::bundle
