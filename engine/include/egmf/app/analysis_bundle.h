#pragma once
// An analysis bundle: what the Studio's views need of analysed dialogues, so an analysis made
// elsewhere (a server, a cluster rank) opens without the model. Per utterance: the prediction,
// the probabilities and label scores, the generated text, the tokens, every position of H_f,
// attention per head in both directions (float16), the gate series per position by name
// (float32), timings and the clip's warnings; per clip: its size and time when analysed, so a
// dataset whose files changed since is noticed. Plus the identity of the checkpoint (its
// manifest and the SHA-256 of manifest.json) and of the dataset, and a format version.
//
// SQLite, not safetensors: a bundle grows a dialogue at a time, one transaction each, so a run
// that is killed keeps every dialogue it finished. A cluster run writes one part per rank, each
// ending with a completion record (how many dialogues it was given); merge() joins complete
// parts into one bundle and refuses a part that is unfinished or of another checkpoint;
// mergeRun() joins what a cluster run's ranks left, a rank that died included.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "egmf/analysis.h"
#include "egmf/dialogue.h"
#include "egmf/result.h"

namespace egmf::bundle {

inline constexpr int kFormatVersion = 1;

struct Identity {
    std::string manifestJson;    ///< the checkpoint's manifest, as it ran
    std::string manifestSha256;  ///< of the checkpoint's manifest.json file ("" when not a file)
    std::string checkpoint;      ///< its path where it was analysed
    std::string loader, device, dtype;
    std::string dataset;      ///< the dataset's path where it was analysed
    int rank = 0, ranks = 1;  ///< which part of a cluster run this is
    std::string createdBy;    ///< "egmf 0.1.0"
};

/// A clip as it was when analysed.
struct ClipStamp {
    std::string path;
    std::int64_t size = -1;  ///< -1: it did not exist
    std::int64_t modifiedNs = 0;
};

class Writer {
public:
    /// A new bundle at `file` (an existing file is an error: choose another name, or remove it).
    static Result<Writer> create(const std::filesystem::path& file, const Identity& identity);
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;
    ~Writer();

    /// One dialogue's results and its clips' stamps (as they are now), in one transaction.
    Result<void> add(const Dialogue& dialogue, const DialogueResult& result);
    /// The same with the stamps given (a merge carries the parts' own).
    Result<void> add(const DialogueResult& result, const std::vector<ClipStamp>& clips);
    /// The completion record: this part was given `dialogues` dialogues and wrote them all.
    Result<void> finish(int dialogues);

private:
    struct Db;
    explicit Writer(std::unique_ptr<Db> db);
    std::unique_ptr<Db> m_db;
};

struct Contents {
    int formatVersion = 0;
    Identity identity;
    std::vector<std::string> dialogueOrder;           ///< as written
    std::map<std::string, DialogueResult> dialogues;  ///< by dialogue id
    std::map<std::string, ClipStamp> clips;           ///< by path
    bool complete = false;                            ///< the completion record is there (and counts what was written)
    int expected = 0;                                 ///< dialogues the part was given (0 before completion)
};

/// Reads a bundle; errors name the file and what is wrong with it (not a bundle, a newer
/// format, a damaged row).
Result<Contents> read(const std::filesystem::path& file);
/// Joins complete parts of one run (same checkpoint and dataset, ranks 0..n-1) into `out`.
Result<void> merge(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& out);
/// Joins the parts a cluster run left, finished or not (a rank that died keeps what it wrote),
/// into `out` with `order`'s dialogues in that order; a dialogue in two parts is taken from the
/// lowest rank's. An error when a dialogue of `order` is in none of them.
Result<void> mergeRun(const std::vector<std::filesystem::path>& parts, const std::vector<std::string>& order,
                      const std::filesystem::path& out);
/// The clips whose files now differ (size or time, or gone) from when they were analysed.
std::vector<std::string> changedClips(const Contents& contents);
/// The stamp of a clip as it is now.
ClipStamp stampOf(const std::string& path);

}  // namespace egmf::bundle
