#include "current_utterance.h"

#include "analysis_queue.h"
#include "model_slot.h"

namespace egmf::ui {

CurrentUtterance::CurrentUtterance(const AnnotationSession* annotations, const AnalysisQueue* analysis, const ModelSlot* model,
                                   QObject* parent)
    : QObject(parent), m_annotations(annotations), m_analysis(analysis), m_model(model) {
    connect(analysis, &AnalysisQueue::dialogueAnalysed, this, [this](int dialogue) {
        if (dialogue == m_ref.dialogue) Q_EMIT changed();
    });
    connect(analysis, &AnalysisQueue::ablationFinished, this, [this](UtteranceRef ref) {
        if (ref.dialogue == m_ref.dialogue) Q_EMIT changed();
    });
    connect(annotations, &AnnotationSession::goldChanged, this, [this](UtteranceRef ref) {
        if (ref == m_ref) Q_EMIT changed();
    });
    connect(annotations, &AnnotationSession::datasetOpened, this, [this] { select({}); });
    connect(model, &ModelSlot::loaded, this, &CurrentUtterance::changed);
}

void CurrentUtterance::select(UtteranceRef ref, double clipDurationSec) {
    if (!m_annotations->utterance(ref)) ref = {};
    m_ref = ref;
    m_clipDurationSec = clipDurationSec;
    Q_EMIT changed();
}

double CurrentUtterance::clipDurationSec() const {
    if (m_clipDurationSec > 0) return m_clipDurationSec;
    const auto* u = utterance();
    return u && u->durationSec > 0 ? u->durationSec : 1.0;
}

QString CurrentUtterance::status() const {
    if (result()) return {};
    if (!manifest()) return tr("no checkpoint loaded");
    if (m_analysis->dialogueState(m_ref.dialogue) == AnalysisScheduler::State::Failed) {
        return tr("analysis failed: %1").arg(m_analysis->dialogueError(m_ref.dialogue));
    }
    return tr("analysing...");
}

bool CurrentUtterance::textOnly() const {
    const auto* m = manifest();
    return m && !m->modalities.hasClipInput();
}

const Utterance* CurrentUtterance::utterance() const {
    return m_annotations->utterance(m_ref);
}

const UtteranceResult* CurrentUtterance::result() const {
    return m_analysis->result(m_ref);
}

const UtteranceResult* CurrentUtterance::ablationResult() const {
    return m_analysis->ablationResult(m_ref);
}

const Manifest* CurrentUtterance::manifest() const {
    return m_model->manifest();
}

}  // namespace egmf::ui
