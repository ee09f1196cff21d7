#include "egmf/dataset.h"

#include <algorithm>
#include <cctype>

namespace egmf {

const char* problemKindName(DatasetProblem::Kind kind) {
    switch (kind) {
        case DatasetProblem::Kind::MissingClip:
            return "missing clip";
        case DatasetProblem::Kind::UndecodableClip:
            return "undecodable clip";
        case DatasetProblem::Kind::LongClip:
            return "clip too long";
        case DatasetProblem::Kind::RowWithoutClip:
            return "row without clip";
        case DatasetProblem::Kind::ClipWithoutRow:
            return "clip without row";
        case DatasetProblem::Kind::UnknownLabel:
            return "unknown label";
        case DatasetProblem::Kind::BadRow:
            return "bad row";
        case DatasetProblem::Kind::MissingFolder:
            return "missing folder";
    }
    return "problem";
}

std::string bundledCheckpointFor(const std::filesystem::path& datasetPath) {
    std::error_code ignored;
    if (!std::filesystem::is_directory(datasetPath, ignored) || std::filesystem::exists(datasetPath / "demo.json", ignored)) return {};
    for (const char* split : {"train", "dev", "test"}) {
        if (std::filesystem::exists(datasetPath / (std::string(split) + "_sent_emo.csv"), ignored)) return "meld-text";
    }
    return {};
}

std::vector<ProblemGroup> groupProblems(const std::vector<DatasetProblem>& problems, std::size_t examplesPerKind) {
    std::vector<ProblemGroup> groups;
    for (const auto& problem : problems) {
        auto group = std::find_if(groups.begin(), groups.end(), [&](const ProblemGroup& g) { return g.kind == problem.kind; });
        if (group == groups.end()) group = groups.insert(groups.end(), ProblemGroup{problem.kind, 0, {}});
        ++group->count;
        if (group->examples.size() < examplesPerKind) group->examples.push_back(&problem);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const ProblemGroup& a, const ProblemGroup& b) { return a.count > b.count; });
    return groups;
}

std::size_t Dataset::utteranceCount(const std::string& split) const {
    std::size_t count = 0;
    for (const auto& dialogue : dialogues) {
        if (split.empty() || dialogue.split == split) count += dialogue.utterances.size();
    }
    return count;
}

std::string canonicalSplit(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "valid" || lower == "val" || lower == "dev") return "dev";
    if (lower == "train" || lower == "test") return lower;
    return "";
}

}  // namespace egmf
