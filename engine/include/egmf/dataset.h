#pragma once
// Datasets (../shared/DATASETS.md): a dataset is dialogues of utterances with text, speaker, clip
// and gold label or score, plus every problem found while reading it. Problems never stop the
// reading: a missing clip, a bad row or an unknown label is reported and the rest is read.
// Split names are train | dev | test everywhere (valid and val mean dev). Torch-free.

#include <filesystem>
#include <string>
#include <vector>

#include "egmf/dialogue.h"
#include "egmf/result.h"

namespace egmf {

struct DatasetProblem {
    enum class Kind { MissingClip, UndecodableClip, LongClip, RowWithoutClip, ClipWithoutRow, UnknownLabel, BadRow, MissingFolder };
    Kind kind = Kind::BadRow;
    std::string where;    ///< file:line, or the clip's path
    std::string message;  ///< what is wrong and what to do
};

const char* problemKindName(DatasetProblem::Kind kind);

/// Problems grouped by kind, most frequent kind first (a real dataset without its clips has
/// thousands of one kind: counts first, then a few examples of each).
struct ProblemGroup {
    DatasetProblem::Kind kind = DatasetProblem::Kind::BadRow;
    std::size_t count = 0;
    std::vector<const DatasetProblem*> examples;  ///< the first `examplesPerKind`, in file order
};
/// The bundled checkpoint for a dataset opened with no checkpoint named: "meld-text" for MELD's
/// own annotations (a folder of *_sent_emo.csv without the demo.json that `egmf make-demo` writes
/// beside the demo corpus's CSVs), else "" (the caller's default).
std::string bundledCheckpointFor(const std::filesystem::path& datasetPath);

std::vector<ProblemGroup> groupProblems(const std::vector<DatasetProblem>& problems, std::size_t examplesPerKind);

struct Dataset {
    std::string kind;  ///< "meld" | "mmsa" | "manifest"
    std::filesystem::path root;
    std::vector<std::string> labels;  ///< ERC classes in the dataset's official order; empty for MSA
    std::vector<Dialogue> dialogues;  ///< in file order; utterances sorted by their ids within each
    std::vector<DatasetProblem> problems;

    std::size_t utteranceCount(const std::string& split = {}) const;
};

/// "valid" and "val" -> "dev"; train/dev/test kept; anything else -> "".
std::string canonicalSplit(std::string_view name);

/// A MELD folder: any of {train,dev,test}_sent_emo.csv with the clip folders train_splits/,
/// dev_splits_complete/, output_repeated_splits_test/ beside them (a missing clip folder is one
/// problem for the split; its utterances are text only). Optional columns (the demo corpus):
/// SentimentScore -> goldScore, Congruence -> a tag.
Result<Dataset> readMeld(const std::filesystem::path& folder);

/// The MMSA layout (MOSI, MOSEI, SIMS, SIMS v2): label.csv or meta.csv (columns by name), clips at
/// Raw/<video_id>/<clip_id>.mp4, one "dialogue" per video_id, gold scores; an empty label is an
/// unlabelled utterance (SIMS v2), not a problem.
Result<Dataset> readMmsa(const std::filesystem::path& folder);

/// The generic manifest CSV: dialogue_id, utterance_id, speaker, text, clip (relative to the
/// manifest), start_ms, end_ms (optional), label (a class name or a number), split. A dataset.json
/// beside it may give {"labels": [...]}, fixing the classes and their order.
Result<Dataset> readManifestCsv(const std::filesystem::path& file);

/// One subtitle cue of an .srt transcript: its time range and text, with the speaker taken from
/// a leading "NAME: " when there is one.
struct SubtitleCue {
    double startSec = 0, endSec = 0;
    std::string speaker, text;
};

/// Reads an .srt file (UTF-8, with or without BOM, CRLF or LF; formatting tags removed). Errors
/// name the file and line.
Result<std::vector<SubtitleCue>> readSrt(const std::filesystem::path& file);

/// The user's own clips as one dialogue (File > Open clips, `egmf analyze --clips`): without a
/// transcript, one utterance per clip with no text; with an .srt and one clip, one utterance
/// per cue over that cue's range of the clip; with an .srt and several clips, cue i is clip i
/// (the counts must match, else an error says so).
Result<Dataset> datasetFromClips(const std::vector<std::filesystem::path>& clips, const std::filesystem::path& srt = {});

/// Any of the above: a .csv file (or a folder holding manifest.csv) is a manifest, a folder with
/// label.csv / meta.csv is MMSA, otherwise MELD.
Result<Dataset> readDataset(const std::filesystem::path& path);

}  // namespace egmf
