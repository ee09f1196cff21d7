#pragma once
// CurrentUtterance: the utterance the Studio's detail views show, and everything about it they
// read: its text and gold, its result and ablation result, the model's manifest. Views follow this
// one object: it says changed() when the user picks another utterance and when something of the
// current one arrives (its dialogue's result, an ablation, a gold edit, a new model), and only
// then, so results for other dialogues cost the views nothing.

#include <QObject>
#include <QString>

#include "annotation_session.h"
#include "egmf/dialogue.h"
#include "egmf/manifest.h"

namespace egmf::ui {

class AnalysisQueue;
class ModelSlot;

class CurrentUtterance : public QObject {
    Q_OBJECT
public:
    CurrentUtterance(const AnnotationSession* annotations, const AnalysisQueue* analysis, const ModelSlot* model,
                     QObject* parent = nullptr);

    /// `clipDurationSec` (0: the dataset's) places the utterance's positions in time.
    void select(UtteranceRef ref, double clipDurationSec = 0);
    UtteranceRef ref() const { return m_ref; }
    const Utterance* utterance() const;
    const UtteranceResult* result() const;
    const UtteranceResult* ablationResult() const;
    /// The model's manifest (null before a checkpoint is loaded).
    const Manifest* manifest() const;
    double clipDurationSec() const;
    /// Why there is no result yet ("analysing...", "no checkpoint loaded", the failure); "" with one.
    QString status() const;
    /// The model reads text only (no audio or video to attend to or gate).
    bool textOnly() const;
    const AnnotationSession& annotations() const { return *m_annotations; }

Q_SIGNALS:
    void changed();

private:
    const AnnotationSession* m_annotations;
    const AnalysisQueue* m_analysis;
    const ModelSlot* m_model;
    UtteranceRef m_ref;
    double m_clipDurationSec = 0;
};

}  // namespace egmf::ui
