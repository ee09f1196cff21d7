#pragma once
// AnalysisQueue: what a Studio window has the engine analyse, and every result so far. The dialogue
// on screen goes first, then the next, then the rest of a split in the background
// (AnalysisScheduler); an ablation the user asks for goes before background work. One engine job
// runs at a time, so a focus change or an ablation never waits behind a queue.
//
// Work per arriving result is proportional to that result: it is stored and announced for its own
// dialogue (dialogueAnalysed); whoever keeps figures over all results updates them from that
// dialogue alone.

#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>

#include "analysis_scheduler.h"
#include "annotation_session.h"
#include "egmf/engine.h"

namespace egmf::ui {

class EngineBridge;
class ModelSlot;

class AnalysisQueue : public QObject {
    Q_OBJECT
public:
    /// Jobs are built from `dataset` (which outlives the queue) and run on the slot's engine,
    /// whichever it is: a new one (engineChanged) starts the analysis again.
    AnalysisQueue(ModelSlot& model, EngineBridge* bridge, const Dataset& dataset, QObject* parent = nullptr);

    /// A new dataset: every result goes, nothing is wanted until a focus or a split is set.
    void reset();
    /// A new model: every result goes; the focus and the split are analysed again.
    void restart();
    /// Results made elsewhere (an analysis bundle), by dialogue index, shown as they are: nothing
    /// is analysed until a model loads (restart()) or another dataset opens.
    void adopt(std::vector<std::pair<int, DialogueResult>> results);
    const UtteranceResult* result(UtteranceRef ref) const;
    const DialogueResult* dialogueResult(int dialogue) const;
    AnalysisScheduler::State dialogueState(int dialogue) const { return m_scheduler.state(dialogue); }
    QString dialogueError(int dialogue) const;

    /// The dialogue on screen: analysed first.
    void focusDialogue(int dialogue);
    /// Analyse every dialogue of `split` in the background ("" = all).
    void analyseSplit(const QString& split);
    /// Cancels the background analysis (the focused dialogue is kept if already running).
    void cancelBackground();
    /// Threads for the engine: every core, or one fewer while the player runs.
    void setPlaying(bool playing);

    /// `options` run again on one utterance (its dialogue gives the context) or on all of it.
    void runAblation(UtteranceRef ref, bool wholeDialogue, const AnalyzeOptions& options);
    const UtteranceResult* ablationResult(UtteranceRef ref) const;
    QString ablationDescription() const { return m_ablationDescription; }

Q_SIGNALS:
    /// A dialogue's result (or failure) arrived; `previous` is the result it replaces (null: none).
    void dialogueAnalysed(int dialogue, std::shared_ptr<const egmf::DialogueResult> previous);
    void ablationFinished(egmf::ui::UtteranceRef ref);
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
    void forgetResults();
    void onResult(quint64 job, std::shared_ptr<const DialogueResult> result);
    void onError(quint64 job, const QString& message);
    /// Cancels the running job when it is background work, so what the user asked for goes first.
    void yieldBackground();

    Engine& engine() const;

    ModelSlot& m_model;
    const Dataset& m_dataset;
    AnalysisScheduler m_scheduler;
    std::map<int, std::shared_ptr<const DialogueResult>> m_results;
    std::map<int, QString> m_errors;
    std::map<int, DialogueResult> m_ablations;
    QString m_ablationDescription;
    std::optional<Running> m_running;
    std::optional<Running> m_pendingAblation;
    EngineJob m_pendingAblationJob;
    bool m_adopted = false;  ///< showing a bundle's results: no analysis until restart()
};

}  // namespace egmf::ui
