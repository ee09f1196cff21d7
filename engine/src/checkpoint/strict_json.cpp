#include "strict_json.h"

#include <set>
#include <vector>

#include "core/utf8.h"

namespace egmf::checkpoint {

Result<nlohmann::json> parseStrictJson(std::string_view text, const std::string& sourceName) {
    if (!utf8::isValid(text)) {
        return makeError(ErrorCode::Corrupt,
                         sourceName + ": not valid UTF-8 JSON; the file is damaged or not JSON");
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
        return makeError(ErrorCode::Corrupt,
                         sourceName + ": malformed JSON (" + e.what() + "); fix or re-export it");
    }
}

}  // namespace egmf::checkpoint
