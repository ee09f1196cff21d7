#pragma once
// CSV as the datasets write it (RFC 4180): comma-separated, fields optionally in double quotes
// with "" for a quote, quoted fields spanning lines, CRLF or LF line ends, a UTF-8 byte-order mark
// tolerated. Columns are found by header name, never by position (MMSA's files differ in order).
// Malformed input (an unterminated quote, a row with the wrong field count, invalid UTF-8) is an
// error naming the file and line. Torch-free; fuzzed by tests/fuzz/fuzz_csv.cpp.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "egmf/result.h"

namespace egmf::data {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> rowLines;  ///< the 1-based line each row starts on, for messages

    /// Index of the column named `name` (exact, after trimming spaces), or nullopt.
    std::optional<std::size_t> column(std::string_view name) const;
};

/// Parses `text`; `sourceName` (the file) goes into errors. Empty lines are skipped.
Result<CsvTable> parseCsv(std::string_view text, const std::string& sourceName);

Result<CsvTable> readCsv(const std::string& path);

/// One field as written to a CSV: quoted (with "" for ") when it holds a comma, quote or line end.
std::string csvField(std::string_view text);

}  // namespace egmf::data
