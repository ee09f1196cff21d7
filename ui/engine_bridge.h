#pragma once
// EngineBridge: the engine's events as Qt signals on the UI thread, the one road from the engine to
// the Studio. The engine calls its observer on its own threads; the bridge posts each event to
// its own thread (queued), so views only ever see results on the UI thread and the UI never waits
// for the engine.

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
    /// The observer to give the Engine; it outlives nothing it touches (a QPointer to the bridge).
    std::shared_ptr<EngineObserver> observer() const { return m_observer; }

Q_SIGNALS:
    void progress(quint64 job, int done, int total);
    void result(quint64 job, std::shared_ptr<const egmf::DialogueResult> result);
    void error(quint64 job, QString message);
    void loadProgress(quint64 job, double fraction);
    void modelLoaded(quint64 job, std::shared_ptr<const egmf::ModelInfo> model);

private:
    std::shared_ptr<EngineObserver> m_observer;
};

}  // namespace egmf::ui
