// Any bytes given to the CSV reader: a table or an error, never a crash; every row of a table has
// the header's field count.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "egmf/app/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto table = egmf::data::parseCsv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
    if (table.ok()) {
        for (const auto& row : table->rows) {
            if (row.size() != table->header.size()) std::abort();
        }
    }
    return 0;
}
