#include "model_slot.h"

#include <QFileInfo>
#include <thread>

#include "egmf/local_engine.h"
#include "engine_bridge.h"
#include "host/plugin_host.h"

namespace egmf::ui {

ModelSlot::ModelSlot(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_bridge(bridge), m_plugins(std::make_unique<plugin::PluginHost>()) {
    m_plugins->discover();
    auto observer = bridge->newObserver();
    bridge->activate(observer);
    m_engine = makeLocalEngine(observer);
    connect(bridge, &EngineBridge::loadProgress, this, [this](quint64 job, double fraction) {
        if (job == m_loadJob) Q_EMIT loadProgress(fraction);
    });
    connect(bridge, &EngineBridge::modelLoaded, this, [this](quint64 job, std::shared_ptr<const ModelInfo> model) {
        if (job != m_loadJob) return;
        m_loadJob = 0;
        m_model = *model;
        Q_EMIT loaded();
    });
    connect(bridge, &EngineBridge::error, this, [this](quint64 job, const QString& message) {
        if (job != m_loadJob) return;
        m_loadJob = 0;
        Q_EMIT loadFailed(message);
    });
}

ModelSlot::~ModelSlot() {
    if (m_connecting.joinable()) m_connecting.join();
    m_engine.reset();  // joins the engine's threads before the plugins go
}

std::unique_ptr<Engine> ModelSlot::makeLocalEngine(std::shared_ptr<EngineObserver> observer) {
    auto engine = std::make_unique<LocalEngine>(std::move(observer), m_plugins->opener());
    engine->setFeatureSource(makeClipFeatureSource());
    engine->setThreads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    return engine;
}

void ModelSlot::runOn(const remote::RemoteOptions& server) {
    if (m_connecting.joinable()) m_connecting.join();
    auto observer = m_bridge->newObserver();
    // Connecting waits for the server (up to its timeout): on a thread of its own, never the UI's.
    m_connecting = std::thread([this, server, observer] {
        auto connected = std::make_shared<Result<std::unique_ptr<remote::RemoteEngine>>>(remote::RemoteEngine::connect(server, observer));
        QMetaObject::invokeMethod(
            this,
            [this, connected, observer, address = QString::fromStdString(server.address)] {
                if (!connected->ok()) return Q_EMIT connectFailed(QString::fromStdString(connected->error().message));
                useEngine(std::move(**connected), observer, address);
            },
            Qt::QueuedConnection);
    });
}

void ModelSlot::runHere() {
    if (m_server.isEmpty()) return;
    auto observer = m_bridge->newObserver();
    useEngine(makeLocalEngine(observer), observer, {});
}

void ModelSlot::useEngine(std::unique_ptr<Engine> engine, const std::shared_ptr<EngineObserver>& observer, QString server) {
    m_bridge->activate(observer);  // from here on only the new engine's events reach the UI
    m_engine = std::move(engine);  // the old one cancels its jobs and joins its threads
    m_server = std::move(server);
    m_loadJob = 0;
    m_model = m_engine->model();
    Q_EMIT engineChanged();
    if (m_model) Q_EMIT loaded();
}

void ModelSlot::load(const QString& path, const QString& device, const QString& dtype) {
    m_loadingPath = path;
    // A load started while another runs supersedes it (the engine cancels the older one).
    m_loadJob = m_engine->load(path.toStdString(), {device.toStdString(), dtype.toStdString()});
    Q_EMIT loadStarted(path);
}

void ModelSlot::cancelLoad() {
    if (!m_loadJob) return;
    if (!m_engine->cancel(m_loadJob)) return;  // it finished already: its model arrives with the next event
    m_loadJob = 0;
    Q_EMIT loadFailed(tr("Loading %1 was cancelled; the model in use stays").arg(QFileInfo(m_loadingPath).fileName()));
}

QString ModelSlot::checkpointPath() const {
    return m_model ? QString::fromStdString(m_model->checkpoint) : QString();
}

bool ModelSlot::isRegression() const {
    return m_model && m_model->manifest.task == Task::Regression;
}

void ModelSlot::setPluginFolders(const QStringList& folders) {
    m_plugins->setSearchPath(folders);
    m_plugins->discover();
}

}  // namespace egmf::ui
