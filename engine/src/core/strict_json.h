#pragma once
// JSON parsing for files we do not trust (manifests, safetensors headers, tokenizer files):
// invalid UTF-8 and duplicate object keys are errors. nlohmann's json::parse silently keeps the
// last of two equal keys, so duplicates are caught from the parser's events.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "egmf/result.h"

namespace egmf {

/// Parses `text`; `sourceName` names the file in the error message.
Result<nlohmann::json> parseStrictJson(std::string_view text, const std::string& sourceName);

/// The integer `value` holds (an integral float such as 8.0 too) when it lies in [min, max]; else
/// std::invalid_argument naming `what`. Use it instead of nlohmann's get<int>(), which converts a
/// float out of the integer's range (4e122) with undefined behaviour; fuzzing found that twice.
std::int64_t checkedInteger(const nlohmann::json& value, const std::string& what,
                            std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                            std::int64_t max = std::numeric_limits<std::int64_t>::max());

}  // namespace egmf
