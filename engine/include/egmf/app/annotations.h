#pragma once
// The annotations store: annotators' corrections of gold labels, kept apart from the dataset's
// files and merged over the original gold when shown. SQLite in WAL mode with synchronous=FULL,
// one transaction per edit, so an edit that returned is on disk: a crash, a kill -9 or a power
// cut loses at most the edit in flight, and the store always opens again. Rows are keyed by
// (dataset, utterance, annotator). Torch-free.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "egmf/dataset.h"
#include "egmf/result.h"

namespace egmf::data {

struct Annotation {
    std::string dataset, utterance, annotator;
    std::optional<std::string> label;  ///< ERC class
    std::optional<double> score;       ///< MSA score
    std::string note;
    std::int64_t editedAtMs = 0;  ///< Unix time
    bool reviewed = false;        ///< the annotator checked this utterance
};

class AnnotationStore {
public:
    /// Opens (creating) the store; empty path: $XDG_DATA_HOME/egmf-studio/annotations.sqlite
    /// (~/.local/share/... without XDG_DATA_HOME).
    static Result<AnnotationStore> open(const std::filesystem::path& file = {});
    AnnotationStore(AnnotationStore&&) noexcept;
    AnnotationStore& operator=(AnnotationStore&&) noexcept;
    ~AnnotationStore();

    /// One edit, committed before it returns (replaces the annotator's earlier edit of it).
    Result<void> put(const Annotation& annotation);
    Result<void> remove(const std::string& dataset, const std::string& utterance, const std::string& annotator);
    /// Every edit of a dataset (all annotators when `annotator` is empty), by utterance.
    Result<std::vector<Annotation>> edits(const std::string& dataset, const std::string& annotator = {}) const;

    /// The dataset's gold with `annotator`'s edits merged over it.
    Result<void> applyTo(Dataset& dataset, const std::string& datasetKey, const std::string& annotator) const;

    /// All edits of a dataset as CSV (dataset,utterance,annotator,label,score,note,edited_at_ms,reviewed) or JSON.
    Result<void> exportCsv(const std::filesystem::path& file, const std::string& dataset) const;
    Result<void> exportJson(const std::filesystem::path& file, const std::string& dataset) const;

    const std::filesystem::path& path() const { return m_path; }

private:
    struct Connection;
    AnnotationStore(std::filesystem::path path, std::unique_ptr<Connection> connection);
    std::filesystem::path m_path;
    std::unique_ptr<Connection> m_db;
};

}  // namespace egmf::data
