// Slurm's compressed host lists (egmf/app/launch_environment.h).
#include <charconv>

#include "egmf/app/launch_environment.h"

namespace egmf::cluster {
namespace {

/// Splits at commas outside brackets.
Result<std::vector<std::string>> splitTopLevel(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string current;
    int depth = 0;
    for (const char c : text) {
        if (c == '[') ++depth;
        if (c == ']' && --depth < 0) return makeError(ErrorCode::InvalidArgument, "\"" + text + "\" has a ] without its [");
        if (c == separator && depth == 0) {
            parts.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (depth != 0) return makeError(ErrorCode::InvalidArgument, "\"" + text + "\" has a [ without its ]");
    parts.push_back(current);
    return parts;
}

/// "01-03" -> 01 02 03; "7" -> 7.
Result<std::vector<std::string>> expandRange(const std::string& range, const std::string& name) {
    const auto dash = range.find('-');
    const auto first = range.substr(0, dash);
    const auto last = dash == std::string::npos ? first : range.substr(dash + 1);
    const auto bad = [&] {
        return makeError(ErrorCode::InvalidArgument, "\"" + name + "\": \"" + range + "\" is not a number or a range a-b");
    };
    if (first.empty() || last.empty()) return bad();
    unsigned long from = 0, to = 0;
    if (std::from_chars(first.data(), first.data() + first.size(), from).ptr != first.data() + first.size()) return bad();
    if (std::from_chars(last.data(), last.data() + last.size(), to).ptr != last.data() + last.size()) return bad();
    if (to < from || to - from > 100000) return bad();
    std::vector<std::string> out;
    for (auto n = from; n <= to; ++n) {
        auto digits = std::to_string(n);
        if (digits.size() < first.size()) digits.insert(0, first.size() - digits.size(), '0');  // node[01-10]
        out.push_back(digits);
    }
    return out;
}

Result<void> expandName(const std::string& name, std::vector<std::string>& out) {
    const auto open = name.find('[');
    if (open == std::string::npos) {
        out.push_back(name);
        return {};
    }
    const auto close = name.find(']', open);
    const auto prefix = name.substr(0, open), rest = name.substr(close + 1);
    auto ranges = splitTopLevel(name.substr(open + 1, close - open - 1), ',');
    if (!ranges) return ranges.error();
    std::vector<std::string> tails;
    if (auto expanded = expandName(rest, tails); !expanded) return expanded;
    for (const auto& range : *ranges) {
        auto numbers = expandRange(range, name);
        if (!numbers) return numbers.error();
        for (const auto& n : *numbers) {
            for (const auto& tail : tails) out.push_back(prefix + n + tail);
        }
    }
    return {};
}

}  // namespace

Result<std::vector<std::string>> expandHostList(const std::string& list) {
    auto names = splitTopLevel(list, ',');
    if (!names) return names.error();
    std::vector<std::string> hosts;
    for (const auto& name : *names) {
        if (name.empty()) return makeError(ErrorCode::InvalidArgument, "\"" + list + "\" has an empty host name");
        if (auto expanded = expandName(name, hosts); !expanded) return expanded.error();
    }
    return hosts;
}

}  // namespace egmf::cluster
