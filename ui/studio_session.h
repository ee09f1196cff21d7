#pragma once
// StudioSession: what one Studio window works on, and the only place that talks to the engine.
// It holds the dataset (gold merged with this annotator's edits), the loaded checkpoint, every
// result analysed so far, and schedules the background analysis (AnalysisScheduler: the
// dialogue on screen, then the next, then the rest of the split). Views read from it and listen
// to its signals; none of them waits: a result that is not there yet is "analysing...".
//
// Utterances are addressed by (dialogue index in the dataset, utterance index in the dialogue).

#include <QObject>
#include <QString>
#include <QTimer>
#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "analysis_scheduler.h"
#include "egmf/dataset.h"
#include "egmf/engine.h"

namespace egmf::data {
class AnnotationStore;
}
namespace egmf::plugin {
class PluginHost;
}

namespace egmf::ui {

class EngineBridge;

struct UtteranceRef {
    int dialogue = -1, utterance = -1;
    bool valid() const { return dialogue >= 0 && utterance >= 0; }
    friend bool operator==(const UtteranceRef&, const UtteranceRef&) = default;
};

class StudioSession : public QObject {
    Q_OBJECT
public:
    /// `annotationsFile` empty: the user's store ($XDG_DATA_HOME/egmf-studio/annotations.sqlite).
    explicit StudioSession(QObject* parent = nullptr, const QString& annotationsFile = {});
    ~StudioSession() override;

    // Data
    Result<void> openDataset(const QString& path);
    /// Clips chosen by the user (File > Open clips): one dialogue, texts from an .srt when given.
    void openDialogue(Dataset dataset, const QString& name);
    const Dataset& dataset() const { return m_dataset; }
    QString datasetPath() const { return m_datasetPath; }
    const Utterance* utterance(UtteranceRef ref) const;

    // Model
    /// Loads through the plugin that reads `path` (plugins/host), on this thread.
    Result<void> loadCheckpoint(const QString& path, const QString& device = QStringLiteral("auto"),
                                const QString& dtype = QStringLiteral("float32"));
    /// The same in the background: the plugin is chosen here, its load runs on a worker thread;
    /// loadProgress() reports 0..1, then checkpointLoaded() or errorOccurred().
    /// dtype "auto": the weights' own on a GPU (a bf16 Hugging Face model stays bf16), float32 on the CPU.
    void startLoading(const QString& path, const QString& device = QStringLiteral("auto"), const QString& dtype = QStringLiteral("auto"));
    bool loading() const { return m_loading.valid(); }
    plugin::PluginHost& plugins() { return *m_plugins; }
    /// Folders searched for plugins before the installed ones (--plugin-dir, settings).
    void setPluginFolders(const QStringList& folders);
    const Manifest* manifest() const;
    QString checkpointPath() const { return m_checkpointPath; }
    QString deviceName() const;
    /// The dtype the current model was asked to load in ("float32", "bfloat16", "auto"...).
    QString dtypeName() const { return m_dtype; }
    bool isRegression() const;

    // Results
    const UtteranceResult* result(UtteranceRef ref) const;
    AnalysisScheduler::State dialogueState(int dialogue) const { return m_scheduler.state(dialogue); }
    QString dialogueError(int dialogue) const;
    /// The dialogue on screen: analysed first.
    void focusDialogue(int dialogue);
    /// Analyse every dialogue of `split` in the background ("" = all).
    void analyseSplit(const QString& split);
    /// Threads for the engine: every core, or one fewer while the player runs.
    void setPlaying(bool playing);
    /// Cancels the background analysis (the focused dialogue is kept if already running).
    void cancelBackground();

    // Ablation: `options` run again on one utterance (its dialogue gives the context) or all.
    void runAblation(UtteranceRef ref, bool wholeDialogue, const AnalyzeOptions& options);
    const UtteranceResult* ablationResult(UtteranceRef ref) const;
    QString ablationDescription() const { return m_ablationDescription; }

    // Annotation (committed to the store before the call returns).
    Result<void> setGoldLabel(UtteranceRef ref, const std::optional<std::string>& label);
    Result<void> setGoldScore(UtteranceRef ref, const std::optional<double>& score);
    Result<void> setNote(UtteranceRef ref, const QString& note);
    QString note(UtteranceRef ref) const;
    Result<void> setReviewed(UtteranceRef ref, bool reviewed);
    bool reviewed(UtteranceRef ref) const;
    /// Whether this annotator changed the gold of the utterance (shown distinctly).
    bool goldEdited(UtteranceRef ref) const;
    data::AnnotationStore* annotations() const { return m_store.get(); }
    std::string datasetKey() const { return m_datasetKey; }
    QString annotator() const { return QString::fromStdString(m_annotator); }

Q_SIGNALS:
    void datasetOpened();
    void checkpointLoaded();
    void loadProgress(double fraction);
    void dialogueAnalysed(int dialogue);
    void ablationFinished(UtteranceRef ref);
    void goldChanged(UtteranceRef ref);
    /// The running job's steps and the background's dialogues.
    void progress(QString what, int done, int total);
    void idle();
    void errorOccurred(QString message);

private:
    struct Running {
        JobId job = 0;
        int dialogue = -1;
        bool ablation = false;
        UtteranceRef ref;
    };
    void scheduleNext();
    void onResult(quint64 job, std::shared_ptr<const DialogueResult> result);
    void onError(quint64 job, const QString& message);
    void resetResults();
    void adopt(Dataset dataset, const QString& path, const std::string& key);
    Result<void> storeEdit(UtteranceRef ref);

    void adoptAnalyzer(std::unique_ptr<Analyzer> analyzer, const QString& path);
    std::unique_ptr<plugin::PluginHost> m_plugins;
    std::future<Result<std::unique_ptr<Analyzer>>> m_loading;
    std::shared_ptr<std::atomic<double>> m_loadFraction;
    QString m_loadingPath, m_loadingDtype;
    QString m_dtype;  ///< of the model in use
    QTimer* m_loadPoll = nullptr;
    EngineBridge* m_bridge = nullptr;     // declared before the engine: the engine goes first
    std::unique_ptr<Engine> m_engine;
    Dataset m_dataset;
    std::vector<std::optional<std::string>> m_originalLabels;  // flattened in dataset order
    std::vector<std::optional<double>> m_originalScores;
    std::vector<int> m_firstUtterance;  // flat index of each dialogue's first utterance
    QString m_datasetPath, m_checkpointPath;
    std::string m_datasetKey, m_annotator;
    std::unique_ptr<data::AnnotationStore> m_store;
    std::map<std::string, QString> m_notes;  // by utterance id
    std::set<std::string> m_reviewed;       // utterance ids
    QString m_storeError;                   // why there is no store (edits are refused with it)
    AnalysisScheduler m_scheduler;
    std::map<int, DialogueResult> m_results;
    std::map<int, QString> m_errors;
    std::map<int, DialogueResult> m_ablations;
    QString m_ablationDescription;
    std::optional<Running> m_running;
    std::optional<Running> m_pendingAblation;
    EngineJob m_pendingAblationJob;
    bool m_playing = false;
};

}  // namespace egmf::ui

Q_DECLARE_METATYPE(egmf::ui::UtteranceRef)
