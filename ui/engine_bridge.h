#pragma once
// EngineBridge: the engine's events as Qt signals on the UI thread, the one road from the engine to
// the Studio. The engine calls its observer on its own threads; the bridge posts each event to
// its own thread (queued), so views only ever see results on the UI thread and the UI never waits
// for the engine. When the engine is replaced (this machine's by a server's, or back), the new one
// gets a new observer: from activate() on, only its events reach the UI, so a replaced engine's
// late events (whose job ids mean nothing to the new one) never do.

#include <QObject>
#include <QString>
#include <memory>

#include "egmf/engine.h"

namespace egmf::ui {

class EngineBridge : public QObject {
    Q_OBJECT
public:
    explicit EngineBridge(QObject* parent = nullptr);
    ~EngineBridge() override;
    /// An observer to give a new Engine; it outlives nothing it touches (a QPointer to the bridge).
    /// Its events reach the UI once it is activated, until another one is.
    std::shared_ptr<EngineObserver> newObserver();
    void activate(const std::shared_ptr<EngineObserver>& observer);

Q_SIGNALS:
    void progress(quint64 job, int done, int total);
    void result(quint64 job, std::shared_ptr<const egmf::DialogueResult> result);
    void error(quint64 job, QString message);
    void loadProgress(quint64 job, double fraction);
    void modelLoaded(quint64 job, std::shared_ptr<const egmf::ModelInfo> model);

private:
    friend class QueuedObserver;
    int m_issued = 0;  ///< observers made so far
    int m_active = 0;  ///< the one whose events are delivered (UI thread only)
};

}  // namespace egmf::ui
