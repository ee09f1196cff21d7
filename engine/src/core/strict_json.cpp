#include "strict_json.h"

#include <cmath>
#include <stdexcept>

#include <set>
#include <vector>

#include "utf8.h"

namespace egmf {

Result<nlohmann::json> parseStrictJson(std::string_view text, const std::string& sourceName) {
    if (!utf8::isValid(text)) {
        return makeError(ErrorCode::Corrupt, sourceName + ": not valid UTF-8 JSON; the file is damaged or not JSON");
    }
    // One key set per open object; the parser reports keys depth-first, so a stack mirrors it.
    std::vector<std::set<std::string>> openObjects;
    std::string duplicate;
    auto onEvent = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
            openObjects.emplace_back();
        } else if (event == Event::object_end) {
            openObjects.pop_back();
        } else if (event == Event::key && !openObjects.empty()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!openObjects.back().insert(key).second && duplicate.empty()) {
                duplicate = key;
            }
        }
        return true;
    };
    try {
        auto json = nlohmann::json::parse(text.begin(), text.end(), onEvent);
        if (!duplicate.empty()) {
            return makeError(ErrorCode::Corrupt, sourceName + ": the key \"" + duplicate +
                                                     "\" appears twice in one object; a file "
                                                     "with duplicate keys is ambiguous, fix or "
                                                     "re-export it");
        }
        return json;
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Corrupt, sourceName + ": malformed JSON (" + e.what() + "); fix or re-export it");
    }
}

std::int64_t checkedInteger(const nlohmann::json& value, const std::string& what, std::int64_t min, std::int64_t max) {
    const auto refuse = [&] {
        return std::invalid_argument(what + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                                     value.dump().substr(0, 40));
    };
    std::int64_t number = 0;
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) throw refuse();
        number = static_cast<std::int64_t>(u);
    } else if (value.is_number_integer()) {
        number = value.get<std::int64_t>();
    } else if (value.is_number_float()) {
        const double d = value.get<double>();
        // 2^63 is the first double past int64's range; NaN fails every comparison.
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::floor(d)) throw refuse();
        number = static_cast<std::int64_t>(d);
    } else {
        throw refuse();
    }
    if (number < min || number > max) throw refuse();
    return number;
}

}  // namespace egmf
