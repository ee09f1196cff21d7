#include "model_slot.h"

#include <QFileInfo>
#include <thread>

#include "egmf/local_engine.h"
#include "engine_bridge.h"
#include "host/plugin_host.h"

namespace egmf::ui {

ModelSlot::ModelSlot(EngineBridge* bridge, QObject* parent) : QObject(parent), m_plugins(std::make_unique<plugin::PluginHost>()) {
    m_plugins->discover();
    auto engine = std::make_unique<LocalEngine>(bridge->observer(), m_plugins->opener());
    engine->setFeatureSource(makeClipFeatureSource());
    engine->setThreads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    m_engine = std::move(engine);
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
    m_engine.reset();  // joins the engine's threads before the plugins go
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

QString ModelSlot::deviceName() const {
    return m_model ? QString::fromStdString(m_model->device) : QString();
}

QString ModelSlot::dtypeName() const {
    return m_model ? QString::fromStdString(m_model->dtype) : QString();
}

bool ModelSlot::isRegression() const {
    return m_model && m_model->manifest.task == Task::Regression;
}

void ModelSlot::setPluginFolders(const QStringList& folders) {
    m_plugins->setSearchPath(folders);
    m_plugins->discover();
}

}  // namespace egmf::ui
