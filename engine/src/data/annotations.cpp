#include "egmf/app/annotations.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "egmf/app/csv.h"

namespace egmf::data {
namespace {

namespace fs = std::filesystem;

std::filesystem::path defaultPath() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    const fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home ? home : "/tmp") / ".local" / "share";
    return base / "egmf-studio" / "annotations.sqlite";
}

}  // namespace

struct AnnotationStore::Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
};

AnnotationStore::AnnotationStore(fs::path path, std::unique_ptr<Connection> connection)
    : m_path(std::move(path)), m_db(std::move(connection)) {}
AnnotationStore::AnnotationStore(AnnotationStore&&) noexcept = default;
AnnotationStore& AnnotationStore::operator=(AnnotationStore&&) noexcept = default;
AnnotationStore::~AnnotationStore() = default;

Result<AnnotationStore> AnnotationStore::open(const fs::path& requested) {
    const auto path = requested.empty() ? defaultPath() : requested;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    auto connection = std::make_unique<Connection>();
    if (sqlite3_open_v2(path.c_str(), &connection->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        return makeError(ErrorCode::Io, path.string() + ": cannot open the annotations store (" +
                                            std::string(sqlite3_errmsg(connection->db)) + "); check the folder is writable");
    }
    sqlite3_busy_timeout(connection->db, 5000);
    const char* setup =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS annotations ("
        " dataset TEXT NOT NULL, utterance TEXT NOT NULL, annotator TEXT NOT NULL,"
        " label TEXT, score REAL, note TEXT NOT NULL DEFAULT '', edited_at_ms INTEGER NOT NULL,"
        " reviewed INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (dataset, utterance, annotator));";
    char* message = nullptr;
    if (sqlite3_exec(connection->db, setup, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        return makeError(ErrorCode::Corrupt,
                         path.string() + ": not a usable annotations store (" + text + "); move it aside and the Studio starts a new one");
    }
    // Stores written before the "reviewed" flag existed get the column (every row unreviewed).
    bool hasReviewed = false;
    sqlite3_stmt* columns = nullptr;
    if (sqlite3_prepare_v2(connection->db, "PRAGMA table_info(annotations)", -1, &columns, nullptr) == SQLITE_OK) {
        while (sqlite3_step(columns) == SQLITE_ROW) {
            const auto* name = sqlite3_column_text(columns, 1);
            hasReviewed |= name && std::string(reinterpret_cast<const char*>(name)) == "reviewed";
        }
    }
    sqlite3_finalize(columns);
    if (!hasReviewed && sqlite3_exec(connection->db, "ALTER TABLE annotations ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0", nullptr,
                                     nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        return makeError(ErrorCode::Corrupt, path.string() + ": cannot add the reviewed column (" + text + ")");
    }
    return AnnotationStore(path, std::move(connection));
}

Result<void> AnnotationStore::put(const Annotation& a) {
    sqlite3_stmt* statement = nullptr;
    const char* sql =
        "INSERT OR REPLACE INTO annotations (dataset, utterance, annotator, label, score, note, edited_at_ms, reviewed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    if (sqlite3_prepare_v2(m_db->db, sql, -1, &statement, nullptr) != SQLITE_OK) {
        return makeError(ErrorCode::Io, m_path.string() + ": " + sqlite3_errmsg(m_db->db));
    }
    const auto now =
        a.editedAtMs ? a.editedAtMs
                     : std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    sqlite3_bind_text(statement, 1, a.dataset.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, a.utterance.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 3, a.annotator.c_str(), -1, SQLITE_TRANSIENT);
    if (a.label)
        sqlite3_bind_text(statement, 4, a.label->c_str(), -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(statement, 4);
    if (a.score)
        sqlite3_bind_double(statement, 5, *a.score);
    else
        sqlite3_bind_null(statement, 5);
    sqlite3_bind_text(statement, 6, a.note.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(statement, 7, now);
    sqlite3_bind_int(statement, 8, a.reviewed ? 1 : 0);
    // One statement outside any transaction is its own transaction: committed when step returns.
    const int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) {
        return makeError(ErrorCode::Io, m_path.string() + ": the edit was not saved (" + sqlite3_errmsg(m_db->db) + ")");
    }
    return {};
}

Result<void> AnnotationStore::remove(const std::string& dataset, const std::string& utterance, const std::string& annotator) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(m_db->db, "DELETE FROM annotations WHERE dataset = ? AND utterance = ? AND annotator = ?", -1, &statement, nullptr);
    sqlite3_bind_text(statement, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, utterance.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 3, annotator.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) return makeError(ErrorCode::Io, m_path.string() + ": " + sqlite3_errmsg(m_db->db));
    return {};
}

Result<std::vector<Annotation>> AnnotationStore::edits(const std::string& dataset, const std::string& annotator) const {
    sqlite3_stmt* statement = nullptr;
    const char* sql =
        "SELECT dataset, utterance, annotator, label, score, note, edited_at_ms, reviewed FROM annotations "
        "WHERE dataset = ? AND (? = '' OR annotator = ?) ORDER BY utterance, annotator";
    if (sqlite3_prepare_v2(m_db->db, sql, -1, &statement, nullptr) != SQLITE_OK) {
        return makeError(ErrorCode::Io, m_path.string() + ": " + sqlite3_errmsg(m_db->db));
    }
    sqlite3_bind_text(statement, 1, dataset.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, annotator.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 3, annotator.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<Annotation> out;
    auto text = [&](int column) {
        const auto* value = sqlite3_column_text(statement, column);
        return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
    };
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        Annotation a{text(0), text(1), text(2), std::nullopt, std::nullopt, text(5), sqlite3_column_int64(statement, 6)};
        if (sqlite3_column_type(statement, 3) != SQLITE_NULL) a.label = text(3);
        if (sqlite3_column_type(statement, 4) != SQLITE_NULL) a.score = sqlite3_column_double(statement, 4);
        a.reviewed = sqlite3_column_int(statement, 7) != 0;
        out.push_back(std::move(a));
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) return makeError(ErrorCode::Io, m_path.string() + ": " + sqlite3_errmsg(m_db->db));
    return out;
}

Result<void> AnnotationStore::applyTo(Dataset& dataset, const std::string& datasetKey, const std::string& annotator) const {
    auto all = edits(datasetKey, annotator);
    if (!all.ok()) return all.error();
    std::map<std::string, const Annotation*> byUtterance;
    for (const auto& a : *all) byUtterance[a.utterance] = &a;
    for (auto& dialogue : dataset.dialogues) {
        for (auto& utterance : dialogue.utterances) {
            const auto found = byUtterance.find(utterance.id);
            if (found == byUtterance.end()) continue;
            if (found->second->label) utterance.goldLabel = found->second->label;
            if (found->second->score) utterance.goldScore = found->second->score;
        }
    }
    return {};
}

Result<void> AnnotationStore::exportCsv(const fs::path& file, const std::string& dataset) const {
    auto all = edits(dataset);
    if (!all.ok()) return all.error();
    std::ofstream out(file, std::ios::binary);
    if (!out) return makeError(ErrorCode::Io, file.string() + ": cannot write the export");
    out << "dataset,utterance,annotator,label,score,note,edited_at_ms,reviewed\n";
    for (const auto& a : *all) {
        out << csvField(a.dataset) << ',' << csvField(a.utterance) << ',' << csvField(a.annotator) << ',' << csvField(a.label.value_or(""))
            << ',' << (a.score ? std::to_string(*a.score) : "") << ',' << csvField(a.note) << ',' << a.editedAtMs << ','
            << (a.reviewed ? 1 : 0) << '\n';
    }
    return out ? Result<void>() : Result<void>(makeError(ErrorCode::Io, file.string() + ": write failed"));
}

Result<void> AnnotationStore::exportJson(const fs::path& file, const std::string& dataset) const {
    auto all = edits(dataset);
    if (!all.ok()) return all.error();
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& a : *all) {
        rows.push_back({{"dataset", a.dataset},
                        {"utterance", a.utterance},
                        {"annotator", a.annotator},
                        {"label", a.label ? nlohmann::json(*a.label) : nlohmann::json()},
                        {"score", a.score ? nlohmann::json(*a.score) : nlohmann::json()},
                        {"note", a.note},
                        {"edited_at_ms", a.editedAtMs},
                        {"reviewed", a.reviewed}});
    }
    std::ofstream out(file, std::ios::binary);
    out << rows.dump(2) << '\n';
    return out ? Result<void>() : Result<void>(makeError(ErrorCode::Io, file.string() + ": cannot write the export"));
}

}  // namespace egmf::data
