// MELD (DATASETS.md): three CSVs (CRLF, quoted fields, curly quotes), clips named
// dia{Dialogue_ID}_utt{Utterance_ID}.mp4 in one folder per split. Known traps handled here: train
// dialogue 60 is absent (nothing assumes contiguous dialogue ids), Utterance_ID has gaps (ids are
// read, never taken from positions), some clips are missing or have no row (both reported).
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "egmf/app/csv.h"
#include "egmf/dataset.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;

struct MeldSplit {
    const char* name;
    const char* csv;
    const char* clipFolder;
};
constexpr std::array<MeldSplit, 3> kSplits = {{{"train", "train_sent_emo.csv", "train_splits"},
                                               {"dev", "dev_sent_emo.csv", "dev_splits_complete"},
                                               {"test", "test_sent_emo.csv", "output_repeated_splits_test"}}};
/// MELD's official class order.
const std::vector<std::string> kLabels = {"neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"};

bool parseInt(const std::string& text, int& value) {
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && ptr == end && value >= 0;
}

/// "hh:mm:ss,mmm" -> seconds; -1 when malformed.
double parseTime(const std::string& text) {
    int h = 0, m = 0, s = 0, ms = 0;
    char a = 0, b = 0, c = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c%d%c%d", &h, &a, &m, &b, &s, &c, &ms) != 7 || a != ':' || b != ':' || (c != ',' && c != '.')) {
        return -1.0;
    }
    return h * 3600.0 + m * 60.0 + s + ms / 1000.0;
}

void readSplit(const fs::path& folder, const MeldSplit& split, Dataset& dataset) {
    const auto csvPath = folder / split.csv;
    auto table = data::readCsv(csvPath.string());
    if (!table.ok()) {
        dataset.problems.push_back({DatasetProblem::Kind::BadRow, csvPath.string(), table.error().message});
        return;
    }
    const char* required[] = {"Utterance", "Speaker", "Emotion", "Dialogue_ID", "Utterance_ID"};
    std::vector<std::size_t> columns;
    for (const char* name : required) {
        const auto column = table->column(name);
        if (!column) {
            dataset.problems.push_back({DatasetProblem::Kind::BadRow, csvPath.string(),
                                        std::string("no \"") + name + "\" column; is this a MELD *_sent_emo.csv?"});
            return;
        }
        columns.push_back(*column);
    }
    const auto startColumn = table->column("StartTime"), endColumn = table->column("EndTime");
    // Optional columns of the demo corpus (egmf make-demo): a sentiment score and a congruence tag.
    const auto scoreColumn = table->column("SentimentScore"), congruenceColumn = table->column("Congruence");
    const fs::path clipFolder = folder / split.clipFolder;
    std::error_code ec;
    const bool haveClips = fs::is_directory(clipFolder, ec);
    if (!haveClips) {
        dataset.problems.push_back({DatasetProblem::Kind::MissingFolder, clipFolder.string(),
                                    std::string("no clip folder for the ") + split.name + " split: its utterances are text only"});
    }
    std::map<int, std::map<int, Utterance>> dialogues;  // by id, then utterance id
    std::vector<int> order;                             // dialogues in file order
    std::set<std::string> referenced;
    for (std::size_t r = 0; r < table->rows.size(); ++r) {
        const auto& row = table->rows[r];
        const auto where = csvPath.string() + ":" + std::to_string(table->rowLines[r]);
        int dialogueId = 0, utteranceId = 0;
        if (!parseInt(row[columns[3]], dialogueId) || !parseInt(row[columns[4]], utteranceId)) {
            dataset.problems.push_back({DatasetProblem::Kind::BadRow, where, "Dialogue_ID or Utterance_ID is not a number; row skipped"});
            continue;
        }
        if (dialogues[dialogueId].count(utteranceId)) {
            dataset.problems.push_back(
                {DatasetProblem::Kind::BadRow, where,
                 "a second row for dia" + std::to_string(dialogueId) + "_utt" + std::to_string(utteranceId) + "; skipped"});
            continue;
        }
        if (dialogues[dialogueId].empty()) order.push_back(dialogueId);
        Utterance utterance;
        const auto stem = "dia" + std::to_string(dialogueId) + "_utt" + std::to_string(utteranceId);
        utterance.id = std::string(split.name) + "/" + stem;
        utterance.text = row[columns[0]];
        utterance.speaker = row[columns[1]];
        std::string label = row[columns[2]];
        std::transform(label.begin(), label.end(), label.begin(), [](unsigned char c) { return std::tolower(c); });
        if (std::find(kLabels.begin(), kLabels.end(), label) != kLabels.end()) {
            utterance.goldLabel = label;
        } else {
            dataset.problems.push_back({DatasetProblem::Kind::UnknownLabel, where,
                                        "emotion \"" + row[columns[2]] + "\" is not one of MELD's seven; the utterance has no gold label"});
        }
        if (scoreColumn && !row[*scoreColumn].empty()) {
            char* end = nullptr;
            const double score = std::strtod(row[*scoreColumn].c_str(), &end);
            if (end && *end == '\0' && std::isfinite(score)) {
                utterance.goldScore = score;
            } else {
                dataset.problems.push_back(
                    {DatasetProblem::Kind::BadRow, where, "SentimentScore \"" + row[*scoreColumn] + "\" is not a number; no gold score"});
            }
        }
        if (congruenceColumn && !row[*congruenceColumn].empty()) utterance.tags.push_back(row[*congruenceColumn]);
        if (startColumn && endColumn) {
            utterance.sourceStartSec = std::max(0.0, parseTime(row[*startColumn]));
            utterance.sourceEndSec = std::max(0.0, parseTime(row[*endColumn]));
        }
        if (haveClips) {
            const auto clip = clipFolder / (stem + ".mp4");
            referenced.insert(clip.filename().string());
            if (fs::exists(clip, ec)) {
                utterance.clipPath = clip.string();
            } else {
                dataset.problems.push_back({DatasetProblem::Kind::MissingClip, clip.string(),
                                            "the clip of " + utterance.id + " is missing; analysed as text only"});
            }
        }
        dialogues[dialogueId][utteranceId] = std::move(utterance);
    }
    for (int id : order) {
        Dialogue dialogue{std::string(split.name) + "/dia" + std::to_string(id), {}, split.name};
        for (auto& [utteranceId, utterance] : dialogues[id]) dialogue.utterances.push_back(std::move(utterance));
        dataset.dialogues.push_back(std::move(dialogue));
    }
    if (haveClips) {
        for (const auto& entry : fs::directory_iterator(clipFolder, ec)) {
            const auto name = entry.path().filename().string();
            if (entry.path().extension() == ".mp4" && name.starts_with("dia") && !referenced.count(name)) {
                dataset.problems.push_back({DatasetProblem::Kind::ClipWithoutRow, entry.path().string(),
                                            "a clip with no row in " + std::string(split.csv) + "; ignored"});
            }
        }
    }
}

}  // namespace

Result<Dataset> readMeld(const fs::path& folder) {
    Dataset dataset;
    dataset.kind = "meld";
    dataset.root = folder;
    dataset.labels = kLabels;
    bool any = false;
    for (const auto& split : kSplits) {
        std::error_code ec;
        if (!fs::exists(folder / split.csv, ec)) continue;
        any = true;
        readSplit(folder, split, dataset);
    }
    if (!any) {
        return makeError(ErrorCode::NotFound, folder.string() +
                                                  ": no MELD annotation file here (train_sent_emo.csv, "
                                                  "dev_sent_emo.csv or test_sent_emo.csv)");
    }
    return dataset;
}

}  // namespace egmf
