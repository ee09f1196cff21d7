#pragma once
// JSON parsing for files we do not trust (manifests, safetensors headers, tokenizer files):
// invalid UTF-8 and duplicate object keys are errors. nlohmann's json::parse silently keeps the
// last of two equal keys, so duplicates are caught from the parser's events.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "egmf/result.h"

namespace egmf::checkpoint {

/// Parses `text`; `sourceName` names the file in the error message.
Result<nlohmann::json> parseStrictJson(std::string_view text, const std::string& sourceName);

}  // namespace egmf::checkpoint
