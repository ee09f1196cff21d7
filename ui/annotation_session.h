#pragma once
// AnnotationSession: the dataset a Studio window shows, as this annotator has annotated it: the
// dataset's gold merged with their edits (gold labels and scores, notes, "reviewed"), each edit
// committed to the annotations store (SQLite) before the call returns; an edit the store refuses
// is undone and its error returned, so nothing is shown that is not saved.
//
// Utterances are addressed by (dialogue index in the dataset, utterance index in the dialogue).

#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "egmf/dataset.h"

namespace egmf::data {
class AnnotationStore;
}

namespace egmf::ui {

struct UtteranceRef {
    int dialogue = -1, utterance = -1;
    bool valid() const { return dialogue >= 0 && utterance >= 0; }
    friend bool operator==(const UtteranceRef&, const UtteranceRef&) = default;
};

class AnnotationSession : public QObject {
    Q_OBJECT
public:
    /// `storeFile` empty: the user's store ($XDG_DATA_HOME/egmf-studio/annotations.sqlite).
    explicit AnnotationSession(const QString& storeFile = {}, QObject* parent = nullptr);
    ~AnnotationSession() override;

    /// Shows `dataset`, keyed in the store by `key`, with this annotator's edits over its gold.
    void open(Dataset dataset, const QString& path, const std::string& key);
    const Dataset& dataset() const { return m_dataset; }
    QString datasetPath() const { return m_datasetPath; }
    std::string datasetKey() const { return m_datasetKey; }
    const Utterance* utterance(UtteranceRef ref) const;

    Result<void> setGoldLabel(UtteranceRef ref, const std::optional<std::string>& label);
    Result<void> setGoldScore(UtteranceRef ref, const std::optional<double>& score);
    /// Whether this annotator changed the gold of the utterance (shown distinctly).
    bool goldEdited(UtteranceRef ref) const;
    Result<void> setNote(UtteranceRef ref, const QString& note);
    QString note(UtteranceRef ref) const;
    Result<void> setReviewed(UtteranceRef ref, bool reviewed);
    bool reviewed(UtteranceRef ref) const;

    data::AnnotationStore* store() const { return m_store.get(); }
    QString annotator() const { return QString::fromStdString(m_annotator); }

Q_SIGNALS:
    void datasetOpened();
    void goldChanged(egmf::ui::UtteranceRef ref);

private:
    Result<void> storeEdit(UtteranceRef ref);

    Dataset m_dataset;
    std::vector<std::optional<std::string>> m_originalLabels;  // flattened in dataset order
    std::vector<std::optional<double>> m_originalScores;
    std::vector<int> m_firstUtterance;  // flat index of each dialogue's first utterance
    QString m_datasetPath;
    std::string m_datasetKey, m_annotator;
    std::unique_ptr<data::AnnotationStore> m_store;
    std::map<std::string, QString> m_notes;  // by utterance id
    std::set<std::string> m_reviewed;        // utterance ids
    QString m_storeError;                    // why there is no store (edits are refused with it)
};

}  // namespace egmf::ui

Q_DECLARE_METATYPE(egmf::ui::UtteranceRef)
