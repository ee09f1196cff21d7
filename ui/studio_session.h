#pragma once
// StudioSession: what one Studio window works on, by concern:
//   annotations()  the dataset with this annotator's gold, notes and review marks (AnnotationSession)
//   model()        the plugins, the engine and the checkpoint it runs (ModelSlot)
//   analysis()     what the engine analyses next and every result so far (AnalysisQueue)
//   current()      the utterance the detail views show (CurrentUtterance)
// Engine events reach the UI by one road: the engine's observer -> EngineBridge (queued signals)
// -> the slot (loads) and the queue (results) -> views. A new dataset or a new model restarts the
// analysis. Views read from these objects and listen to their signals; none of them waits: a
// result that is not there yet is "analysing...".

#include <QObject>
#include <QString>

#include "analysis_queue.h"
#include "annotation_session.h"
#include "current_utterance.h"
#include "model_slot.h"

namespace egmf::ui {

class EngineBridge;

class StudioSession : public QObject {
    Q_OBJECT
public:
    /// `annotationsFile` empty: the user's store ($XDG_DATA_HOME/egmf-studio/annotations.sqlite).
    explicit StudioSession(QObject* parent = nullptr, const QString& annotationsFile = {});
    ~StudioSession() override;

    Result<void> openDataset(const QString& path);
    /// Clips chosen by the user (File > Open clips): one dialogue, texts from an .srt when given.
    void openDialogue(Dataset dataset, const QString& name);
    const Dataset& dataset() const { return m_annotations->dataset(); }

    AnnotationSession* annotations() const { return m_annotations; }
    ModelSlot* model() const { return m_model; }
    AnalysisQueue* analysis() const { return m_analysis; }
    CurrentUtterance* current() const { return m_current; }

Q_SIGNALS:
    /// What went wrong in the analysis, for the status bar (a failed load is ModelSlot::loadFailed).
    void errorOccurred(QString message);

private:
    EngineBridge* m_bridge = nullptr;
    AnnotationSession* m_annotations = nullptr;
    ModelSlot* m_model = nullptr;
    AnalysisQueue* m_analysis = nullptr;
    CurrentUtterance* m_current = nullptr;
};

}  // namespace egmf::ui
