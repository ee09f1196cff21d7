#include "engine_bridge.h"

#include <QPointer>

namespace egmf::ui {

class QueuedObserver final : public EngineObserver {
public:
    QueuedObserver(EngineBridge* bridge, int generation) : m_bridge(bridge), m_generation(generation) {}
    int generation() const { return m_generation; }
    void onProgress(JobId job, int done, int total) override {
        post([=](EngineBridge* b) { Q_EMIT b->progress(job, done, total); });
    }
    void onResult(JobId job, const DialogueResult& result) override {
        auto shared = std::make_shared<const DialogueResult>(result);
        post([=](EngineBridge* b) { Q_EMIT b->result(job, shared); });
    }
    void onError(JobId job, const Error& error) override {
        const auto message = QString::fromStdString(error.message);
        post([=](EngineBridge* b) { Q_EMIT b->error(job, message); });
    }
    void onLoadProgress(JobId job, double fraction) override {
        post([=](EngineBridge* b) { Q_EMIT b->loadProgress(job, fraction); });
    }
    void onModelLoaded(JobId job, const ModelInfo& model) override {
        auto shared = std::make_shared<const ModelInfo>(model);
        post([=](EngineBridge* b) { Q_EMIT b->modelLoaded(job, shared); });
    }

private:
    template <typename F>
    void post(F&& emitter) {
        // The bridge is the context object: if it is gone when the event is delivered, Qt drops it.
        QPointer<EngineBridge> bridge = m_bridge;
        if (!bridge) return;
        QMetaObject::invokeMethod(
            bridge.data(),
            [bridge, generation = m_generation, emitter = std::forward<F>(emitter)] {
                if (bridge && bridge->m_active == generation) emitter(bridge.data());
            },
            Qt::QueuedConnection);
    }
    QPointer<EngineBridge> m_bridge;
    const int m_generation;
};

EngineBridge::EngineBridge(QObject* parent) : QObject(parent) {}

EngineBridge::~EngineBridge() = default;

std::shared_ptr<EngineObserver> EngineBridge::newObserver() {
    return std::make_shared<QueuedObserver>(this, ++m_issued);
}

void EngineBridge::activate(const std::shared_ptr<EngineObserver>& observer) {
    if (const auto* queued = dynamic_cast<const QueuedObserver*>(observer.get())) m_active = queued->generation();
}

}  // namespace egmf::ui
