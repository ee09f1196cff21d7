#pragma once
// ModelSlot: the model a Studio window analyses with. It holds the plugins that open checkpoints,
// the engine that runs the model (egmf/engine.h: this machine's LocalEngine, or a server's
// RemoteEngine, the same to everything above), and the load in progress. Every load runs in the
// background (the window stays live and the model in use goes on analysing until the new one is
// ready), reports its progress and can be cancelled. Connecting to a server runs in the
// background too; the engine in use stays until the connection is made.

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <thread>

#include "egmf/engine.h"
#include "egmf/remote/remote_engine.h"

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
    bool isRegression() const;

    /// Runs the model on a server from now on (connects in the background): engineChanged(),
    /// then loaded() when the server runs a model; or connectFailed().
    void runOn(const remote::RemoteOptions& server);
    /// Back to this machine's engine (a checkpoint must be loaded again).
    void runHere();
    /// host:port of the server the model runs on; empty: this machine.
    const QString& server() const { return m_server; }

    plugin::PluginHost& plugins() { return *m_plugins; }
    /// Folders searched for plugins before the installed ones (--plugin-dir, settings).
    void setPluginFolders(const QStringList& folders);

Q_SIGNALS:
    void loadStarted(QString path);
    void loadProgress(double fraction);
    void loaded();
    void loadFailed(QString message);
    /// The engine was replaced (a server's, or this machine's again): its jobs are new.
    void engineChanged();
    void connectFailed(QString message);

private:
    std::unique_ptr<Engine> makeLocalEngine(std::shared_ptr<EngineObserver> observer);
    void useEngine(std::unique_ptr<Engine> engine, const std::shared_ptr<EngineObserver>& observer, QString server);

    EngineBridge* m_bridge;
    std::unique_ptr<plugin::PluginHost> m_plugins;  // declared before the engine: its opener uses it
    std::unique_ptr<Engine> m_engine;
    QString m_server;  ///< host:port of the server the engine runs on; empty: this machine
    std::thread m_connecting;
    std::optional<ModelInfo> m_model;
    JobId m_loadJob = 0;
    QString m_loadingPath;
};

}  // namespace egmf::ui
