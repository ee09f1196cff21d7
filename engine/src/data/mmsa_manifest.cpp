// The MMSA layout (MOSI, MOSEI, SIMS, SIMS v2) and the generic manifest CSV (CHERMA, IEMOCAP,
// custom data), per DATASETS.md. Both read columns by name and keep ids as strings ("0001").
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>

#include "core/strict_json.h"
#include "egmf/app/csv.h"
#include "egmf/dataset.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;

std::optional<double> parseNumber(const std::string& text) {
    double value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

/// Appends the utterance to the dialogue `id` (created in first-seen order).
void addToDialogue(Dataset& dataset, std::map<std::string, std::size_t>& index, const std::string& id, const std::string& split,
                   Utterance utterance) {
    auto found = index.find(id);
    if (found == index.end()) {
        found = index.emplace(id, dataset.dialogues.size()).first;
        dataset.dialogues.push_back(Dialogue{id, {}, split});
    }
    dataset.dialogues[found->second].utterances.push_back(std::move(utterance));
}

Result<data::CsvTable> tableWith(const fs::path& file, const std::vector<const char*>& required, std::vector<std::size_t>& columns) {
    auto table = data::readCsv(file.string());
    if (!table.ok()) return table.error();
    for (const char* name : required) {
        const auto column = table->column(name);
        if (!column) {
            return makeError(ErrorCode::Corrupt, file.string() + ": no \"" + name + "\" column; see DATASETS.md for the layout");
        }
        columns.push_back(*column);
    }
    return table;
}

}  // namespace

Result<Dataset> readMmsa(const fs::path& folder) {
    std::error_code ec;
    const auto file = fs::exists(folder / "label.csv", ec) ? folder / "label.csv" : folder / "meta.csv";
    std::vector<std::size_t> c;
    auto table = tableWith(file, {"video_id", "clip_id", "text", "label", "mode"}, c);
    if (!table.ok()) return table.error();
    Dataset dataset;
    dataset.kind = "mmsa";
    dataset.root = folder;
    const bool haveRaw = fs::is_directory(folder / "Raw", ec);
    if (!haveRaw) {
        dataset.problems.push_back(
            {DatasetProblem::Kind::MissingFolder, (folder / "Raw").string(), "no Raw/ clip folder: the utterances are text only"});
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& row = table->rows[r];
        const auto where = file.string() + ":" + std::to_string(table->rowLines[r]);
        const auto& video = row[c[0]];
        const auto& clip = row[c[1]];
        if (video.empty() || clip.empty() || video.find('/') != std::string::npos || clip.find('/') != std::string::npos || video == ".." ||
            clip == "..") {
            dataset.problems.push_back(
                {DatasetProblem::Kind::BadRow, where, "video_id or clip_id is empty or not a plain name; row skipped"});
            continue;
        }
        const auto split = canonicalSplit(row[c[4]]);
        if (split.empty()) {
            dataset.problems.push_back(
                {DatasetProblem::Kind::BadRow, where, "mode \"" + row[c[4]] + "\" is not train, valid/val/dev or test"});
        }
        Utterance utterance;
        utterance.id = video + "/" + clip;
        utterance.speaker = video;
        utterance.text = row[c[2]];
        if (!row[c[3]].empty()) {
            if (auto score = parseNumber(row[c[3]])) {
                utterance.goldScore = *score;
            } else {
                dataset.problems.push_back({DatasetProblem::Kind::UnknownLabel, where, "label \"" + row[c[3]] + "\" is not a number"});
            }
        }
        if (haveRaw) {
            const auto path = folder / "Raw" / video / (clip + ".mp4");
            if (fs::exists(path, ec)) {
                utterance.clipPath = path.string();
            } else {
                dataset.problems.push_back(
                    {DatasetProblem::Kind::MissingClip, path.string(), "the clip of " + utterance.id + " is missing"});
            }
        }
        addToDialogue(dataset, index, video, split, std::move(utterance));
    }
    return dataset;
}

Result<Dataset> readManifestCsv(const fs::path& file) {
    std::vector<std::size_t> c;
    auto table = tableWith(file, {"dialogue_id", "utterance_id", "speaker", "text", "clip", "label", "split"}, c);
    if (!table.ok()) return table.error();
    Dataset dataset;
    dataset.kind = "manifest";
    dataset.root = file.parent_path();
    // dataset.json beside the manifest may fix the classes and their order.
    std::error_code ec;
    const auto description = file.parent_path() / "dataset.json";
    if (fs::exists(description, ec)) {
        std::ifstream in(description);
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        auto json = parseStrictJson(text, description.string());
        if (!json.ok()) return json.error();
        if (json->contains("labels") && (*json)["labels"].is_array()) {
            for (const auto& label : (*json)["labels"]) {
                if (!label.is_string()) return makeError(ErrorCode::Corrupt, description.string() + ": labels must be strings");
                dataset.labels.push_back(label.get<std::string>());
            }
        }
    }
    const bool fixedLabels = !dataset.labels.empty();
    const auto start = table->column("start_ms"), end = table->column("end_ms");
    std::map<std::string, std::size_t> index;
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& row = table->rows[r];
        const auto where = file.string() + ":" + std::to_string(table->rowLines[r]);
        Utterance utterance;
        utterance.id = row[c[0]] + "/" + row[c[1]];
        utterance.speaker = row[c[2]];
        utterance.text = row[c[3]];
        if (row[c[0]].empty() || row[c[1]].empty()) {
            dataset.problems.push_back({DatasetProblem::Kind::BadRow, where, "dialogue_id or utterance_id is empty; row skipped"});
            continue;
        }
        const auto& label = row[c[5]];
        if (auto score = parseNumber(label)) {
            utterance.goldScore = *score;
        } else if (!label.empty()) {
            if (!fixedLabels && std::find(dataset.labels.begin(), dataset.labels.end(), label) == dataset.labels.end()) {
                dataset.labels.push_back(label);
            }
            if (std::find(dataset.labels.begin(), dataset.labels.end(), label) != dataset.labels.end()) {
                utterance.goldLabel = label;
            } else {
                dataset.problems.push_back({DatasetProblem::Kind::UnknownLabel, where,
                                            "label \"" + label + "\" is not in dataset.json's labels; no gold for this utterance"});
            }
        }
        const double startMs = start ? parseNumber(row[*start]).value_or(0) : 0, endMs = end ? parseNumber(row[*end]).value_or(0) : 0;
        utterance.sourceStartSec = startMs / 1000.0;
        utterance.sourceEndSec = endMs / 1000.0;
        utterance.clipStartSec = utterance.sourceStartSec;
        utterance.clipEndSec = utterance.sourceEndSec;
        const auto& clip = row[c[4]];
        if (clip.empty()) {
            dataset.problems.push_back(
                {DatasetProblem::Kind::RowWithoutClip, where, utterance.id + " names no clip; analysed as text only"});
        } else {
            const auto path = fs::path(clip).is_absolute() ? fs::path(clip) : file.parent_path() / clip;
            if (fs::exists(path, ec)) {
                utterance.clipPath = path.string();
            } else {
                dataset.problems.push_back(
                    {DatasetProblem::Kind::MissingClip, path.string(), "the clip of " + utterance.id + " is missing"});
            }
        }
        addToDialogue(dataset, index, row[c[0]], canonicalSplit(row[c[6]]), std::move(utterance));
    }
    return dataset;
}

Result<Dataset> readDataset(const fs::path& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec) && path.extension() == ".csv") return readManifestCsv(path);
    if (fs::exists(path / "label.csv", ec) || fs::exists(path / "meta.csv", ec)) return readMmsa(path);
    if (fs::exists(path / "manifest.csv", ec)) return readManifestCsv(path / "manifest.csv");
    return readMeld(path);
}

}  // namespace egmf
