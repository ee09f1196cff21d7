#pragma once
// ModelSlot: the model a Studio window analyses with. It holds the plugins that open checkpoints,
// the engine that runs the model (egmf/engine.h; today the in-process LocalEngine), and the load
// in progress. Every load runs in the background (the window stays live and the model in use goes
// on analysing until the new one is ready), reports its progress and can be cancelled.

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

#include "egmf/engine.h"

namespace egmf::plugin {
class PluginHost;
}

namespace egmf::ui {

class EngineBridge;

class ModelSlot : public QObject {
    Q_OBJECT
public:
    /// Engine events come through `bridge` (the only road from the engine to the UI).
    ModelSlot(EngineBridge* bridge, QObject* parent = nullptr);
    ~ModelSlot() override;

    Engine& engine() { return *m_engine; }
    /// Starts loading `path`; loadProgress, then loaded() or loadFailed(). dtype "auto": the
    /// weights' own on a GPU, float32 on the CPU (egmf/checkpoint.h).
    void load(const QString& path, const QString& device = QStringLiteral("auto"), const QString& dtype = QStringLiteral("auto"));
    void cancelLoad();
    bool loading() const { return m_loadJob != 0; }
    QString loadingPath() const { return m_loadingPath; }

    /// The model in use (null before the first load).
    const ModelInfo* model() const { return m_model ? &*m_model : nullptr; }
    const Manifest* manifest() const { return m_model ? &m_model->manifest : nullptr; }
    QString checkpointPath() const;
    QString deviceName() const;
    QString dtypeName() const;
    bool isRegression() const;

    plugin::PluginHost& plugins() { return *m_plugins; }
    /// Folders searched for plugins before the installed ones (--plugin-dir, settings).
    void setPluginFolders(const QStringList& folders);

Q_SIGNALS:
    void loadStarted(QString path);
    void loadProgress(double fraction);
    void loaded();
    void loadFailed(QString message);

private:
    std::unique_ptr<plugin::PluginHost> m_plugins;  // declared before the engine: its opener uses it
    std::unique_ptr<Engine> m_engine;
    std::optional<ModelInfo> m_model;
    JobId m_loadJob = 0;
    QString m_loadingPath;
};

}  // namespace egmf::ui
