#pragma once
// The plugin host the Studio and the `egmf` command line share (ARCHITECTURE.md, Plugins).
//
// discover() lists every file in the search folders (--plugin-dir, folders saved in settings,
// <prefix>/lib/egmf-studio/plugins) and reads each one's metadata without loading its code
// (QPluginLoader::metaData). A plugin with another IID or interface version, or built against
// another LibTorch or C++ ABI, is refused with that reason. The first load of a plugin file is
// tried in a child process (`egmf plugin-probe FILE`): a plugin that crashes or hangs there is
// listed as broken and never loaded here. Probe results are remembered per file, size and time.
// loaderFor(path) asks each usable plugin's canLoad in order and loads the first that says yes.
// Loaders are handed out wrapped (guarded_loader.h): a plugin that throws becomes an error.
// Qt Core only; no torch header.

#include <QString>
#include <QStringList>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "egmf/local_engine.h"
#include "egmf/plugin/checkpoint_loader.h"

class QPluginLoader;

namespace egmf::plugin {

struct PluginRecord {
    enum class State {
        Available,       ///< metadata fine, probe passed (or not needed yet)
        Loaded,          ///< its code is loaded in this process
        Broken,          ///< the probe crashed, hung or failed to load it
        WrongInterface,  ///< another IID or interface version
        TorchMismatch,   ///< built against another LibTorch version or C++ ABI
        NotAPlugin,      ///< no Qt plugin metadata
    };
    QString file;
    QString name, version, architecture, torchVersion, iid;
    QStringList formats;
    int interfaceVersion = 0, cxx11Abi = -1;
    State state = State::NotAPlugin;
    QString reason;  ///< why it cannot be used ("" when it can)
    bool usable() const { return state == State::Available || state == State::Loaded; }
};

const char* stateName(PluginRecord::State state);

class PluginHost {
public:
    /// `prober`: the program whose `plugin-probe FILE` subcommand loads a plugin in a child process
    /// (the `egmf` beside the running program by default).
    explicit PluginHost(QString prober = {});
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    /// Folders searched, in order; the install prefix's plugin folder is always last.
    void setSearchPath(const QStringList& folders);
    QStringList searchPath() const;
    /// Reads every plugin's metadata again (no code loaded).
    void discover();
    const std::vector<PluginRecord>& plugins() const { return m_records; }

    /// Probes (in a child, once per file version) and loads the plugin; null with `error` set when
    /// it cannot be used. The loader is the plugin's, guarded: its exceptions come back as errors.
    CheckpointLoader* load(std::size_t index, QString* error = nullptr);
    void unload(std::size_t index);

    struct Match {
        CheckpointLoader* loader = nullptr;
        std::size_t index = 0;
    };
    /// The first usable plugin that reads `path`; the error lists each plugin's reason.
    Result<Match> loaderFor(const std::filesystem::path& path);

    /// How an engine opens checkpoints through these plugins (egmf/local_engine.h): the plugin that
    /// reads the path is chosen and its manifest checked to fit (egmf/checkpoint.h's rule) on the
    /// caller's thread; the weights load wherever the PreparedLoad runs. The host must outlive it.
    CheckpointOpener opener();

    /// What `egmf plugin-probe FILE` runs: loads the plugin and checks its interface. 0 when fine.
    static int probeInThisProcess(const QString& file, QString* error);

private:
    void probe(PluginRecord& record);
    QString m_prober;
    QStringList m_folders;
    std::vector<PluginRecord> m_records;
    std::vector<std::unique_ptr<QPluginLoader>> m_loaders;
    // One guard per plugin instance, kept across discover() (a load may be running with it).
    std::map<CheckpointLoader*, std::unique_ptr<class GuardedLoader>> m_guarded;
};

}  // namespace egmf::plugin
