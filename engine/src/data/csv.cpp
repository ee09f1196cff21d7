#include "egmf/app/csv.h"

#include <fstream>
#include <sstream>

#include "core/utf8.h"

namespace egmf::data {
namespace {

std::string_view trimSpaces(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (trimSpaces(header[i]) == name) return i;
    }
    return std::nullopt;
}

Result<CsvTable> parseCsv(std::string_view text, const std::string& source) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (!utf8::isValid(text)) {
        return makeError(ErrorCode::Corrupt, source + ": not UTF-8 text; re-save the file as UTF-8");
    }
    std::vector<std::vector<std::string>> records;
    std::vector<int> lines;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, fieldStarted = false, afterQuote = false;
    int line = 1, recordLine = 1;
    auto endField = [&] {
        record.push_back(std::move(field));
        field.clear();
        fieldStarted = afterQuote = false;
    };
    auto endRecord = [&] {
        const bool blank = record.empty() && !fieldStarted && field.empty();
        if (!blank) {
            endField();
            records.push_back(std::move(record));
            lines.push_back(recordLine);
        }
        record.clear();
        field.clear();
        fieldStarted = afterQuote = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field.push_back('"');
                    ++i;
                } else {
                    quoted = false;
                    afterQuote = true;
                }
            } else {
                if (c == '\n') ++line;
                field.push_back(c);
            }
            continue;
        }
        if (c == ',') {
            endField();
            fieldStarted = true;  // a field follows, even if empty
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            endRecord();
            recordLine = ++line;
        } else if (c == '"' && field.empty() && !afterQuote) {
            quoted = true;
            fieldStarted = true;
        } else {
            if (afterQuote) {
                return makeError(ErrorCode::Corrupt,
                                 source + ":" + std::to_string(line) + ": text after a closing quote; quote the whole field");
            }
            field.push_back(c);
            fieldStarted = true;
        }
    }
    if (quoted) {
        return makeError(ErrorCode::Corrupt, source + ":" + std::to_string(recordLine) +
                                                 ": a quoted field never ends; the file is truncated or a quote is missing");
    }
    endRecord();
    CsvTable table;
    if (records.empty()) {
        return makeError(ErrorCode::Corrupt, source + ": empty; a header line is expected");
    }
    table.header = std::move(records.front());
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.header.size()) {
            return makeError(ErrorCode::Corrupt, source + ":" + std::to_string(lines[r]) + ": " + std::to_string(records[r].size()) +
                                                     " fields where the header has " + std::to_string(table.header.size()) +
                                                     "; check the quoting");
        }
        table.rows.push_back(std::move(records[r]));
        table.rowLines.push_back(lines[r]);
    }
    return table;
}

Result<CsvTable> readCsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, path + ": cannot open it; check the dataset folder");
    std::stringstream text;
    text << in.rdbuf();
    return parseCsv(text.str(), path);
}

std::string csvField(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace egmf::data
