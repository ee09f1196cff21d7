#include "plugin_host.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QPluginLoader>
#include <QProcess>
#include <QSettings>

#include "egmf/build_info.h"
#include "egmf/engine.h"
#include "egmf/paths.h"
#include "guarded_loader.h"

namespace egmf::plugin {
namespace {

constexpr int kProbeTimeoutMs = 20000;

/// Where probe results are kept: one entry per plugin file version.
QString probeKey(const QFileInfo& file) {
    const auto identity = file.absoluteFilePath() + QStringLiteral("|%1|%2").arg(file.size()).arg(file.lastModified().toMSecsSinceEpoch());
    return QString::fromLatin1(QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha256).toHex().left(24));
}

QSettings probeStore() {
    return QSettings(QStringLiteral("egmf-studio"), QStringLiteral("plugin-probes"));
}

}  // namespace

const char* stateName(PluginRecord::State state) {
    switch (state) {
        case PluginRecord::State::Available:
            return "available";
        case PluginRecord::State::Loaded:
            return "loaded";
        case PluginRecord::State::Broken:
            return "broken";
        case PluginRecord::State::WrongInterface:
            return "wrong interface version";
        case PluginRecord::State::TorchMismatch:
            return "LibTorch/ABI mismatch";
        case PluginRecord::State::NotAPlugin:
            return "not a plugin";
    }
    return "unknown";
}

PluginHost::PluginHost(QString prober) : m_prober(std::move(prober)) {
    if (m_prober.isEmpty()) m_prober = QString::fromStdString((executableDir() / "egmf").string());
}

PluginHost::~PluginHost() = default;

void PluginHost::setSearchPath(const QStringList& folders) {
    m_folders = folders;
}

QStringList PluginHost::searchPath() const {
    QStringList all = m_folders;
    const auto installed = QString::fromStdString(pluginDir().string());
    if (!all.contains(installed)) all << installed;
    return all;
}

void PluginHost::discover() {
    // Loaded plugins stay loaded (analyzers they made may be in use); only the list is new.
    m_loaders.clear();
    m_records.clear();
    QStringList seen;
    for (const auto& folder : searchPath()) {
        const auto entries = QDir(folder).entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
        for (const auto& info : entries) {
            if (seen.contains(info.canonicalFilePath())) continue;
            seen << info.canonicalFilePath();
            PluginRecord r;
            r.file = info.absoluteFilePath();
            const auto meta = QPluginLoader(r.file).metaData();
            if (meta.isEmpty()) {
                r.name = info.fileName();
                r.state = PluginRecord::State::NotAPlugin;
                r.reason = QStringLiteral("no Qt plugin metadata: not a plugin");
                m_records.push_back(r);
                m_loaders.emplace_back();
                continue;
            }
            const auto data = meta.value(QStringLiteral("MetaData")).toObject();
            r.iid = meta.value(QStringLiteral("IID")).toString();
            r.name = data.value(QStringLiteral("name")).toString(info.fileName());
            r.version = data.value(QStringLiteral("version")).toString();
            r.architecture = data.value(QStringLiteral("architecture")).toString();
            for (const auto& f : data.value(QStringLiteral("formats")).toArray()) r.formats << f.toString();
            r.interfaceVersion = data.value(QStringLiteral("interface")).toInt(0);
            r.torchVersion = data.value(QStringLiteral("torch_version")).toString();
            r.cxx11Abi = data.value(QStringLiteral("cxx11_abi")).toInt(-1);
            const auto sdkHash = data.value(QStringLiteral("sdk_hash")).toString();
            const auto ourTorch = QString::fromStdString(torchVersion());
            if (r.iid != QStringLiteral(EGMF_CHECKPOINT_LOADER_IID) || r.interfaceVersion != kInterfaceVersion) {
                r.state = PluginRecord::State::WrongInterface;
                r.reason =
                    QStringLiteral("speaks %1 (interface %2); this program speaks %3 (interface %4): rebuild the plugin against this SDK")
                        .arg(r.iid)
                        .arg(r.interfaceVersion)
                        .arg(QStringLiteral(EGMF_CHECKPOINT_LOADER_IID))
                        .arg(kInterfaceVersion);
            } else if (sdkHash != QStringLiteral(EGMF_SDK_HASH)) {
                r.state = PluginRecord::State::WrongInterface;
                r.reason =
                    QStringLiteral(
                        "built against other EGMF SDK headers (fingerprint %1; this program's is %2): rebuild the plugin against this SDK")
                        .arg(sdkHash.isEmpty() ? QStringLiteral("none") : sdkHash, QStringLiteral(EGMF_SDK_HASH));
            } else if (r.torchVersion != ourTorch || r.cxx11Abi != cxx11Abi()) {
                r.state = PluginRecord::State::TorchMismatch;
                r.reason =
                    QStringLiteral(
                        "built against LibTorch %1 (C++11 ABI %2); this program uses LibTorch %3 (ABI %4): rebuild the plugin with it")
                        .arg(r.torchVersion.isEmpty() ? QStringLiteral("?") : r.torchVersion)
                        .arg(r.cxx11Abi)
                        .arg(ourTorch)
                        .arg(cxx11Abi());
            } else {
                r.state = PluginRecord::State::Available;
                // A probe that failed before (same file, size and time) stands.
                const auto known = probeStore().value(probeKey(info)).toString();
                if (known.startsWith(QStringLiteral("broken:"))) {
                    r.state = PluginRecord::State::Broken;
                    r.reason = known.mid(7);
                }
            }
            m_records.push_back(r);
            m_loaders.emplace_back();
        }
    }
}

void PluginHost::probe(PluginRecord& record) {
    const QFileInfo info(record.file);
    auto store = probeStore();
    const auto key = probeKey(info);
    const auto known = store.value(key).toString();
    if (known == QStringLiteral("ok")) return;
    if (known.startsWith(QStringLiteral("broken:"))) {
        record.state = PluginRecord::State::Broken;
        record.reason = known.mid(7);
        return;
    }
    QProcess child;
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(m_prober, {QStringLiteral("plugin-probe"), record.file});
    QString why;
    if (!child.waitForStarted(kProbeTimeoutMs)) {
        why = QStringLiteral("could not start the probe %1 (%2)").arg(m_prober, child.errorString());
        // Not the plugin's fault: do not remember it.
        record.state = PluginRecord::State::Broken;
        record.reason = why;
        return;
    }
    if (!child.waitForFinished(kProbeTimeoutMs)) {
        child.kill();
        child.waitForFinished();
        why = QStringLiteral("did not finish loading within %1 s").arg(kProbeTimeoutMs / 1000);
    } else if (child.exitStatus() == QProcess::CrashExit) {
        why = QStringLiteral("crashed while loading (in a separate process; this program is unharmed)");
    } else if (child.exitCode() != 0) {
        why = QString::fromUtf8(child.readAll()).trimmed();
        if (why.isEmpty()) why = QStringLiteral("failed to load (exit %1)").arg(child.exitCode());
    }
    if (why.isEmpty()) {
        store.setValue(key, QStringLiteral("ok"));
        return;
    }
    record.state = PluginRecord::State::Broken;
    record.reason = why;
    store.setValue(key, QStringLiteral("broken:") + why);
}

CheckpointLoader* PluginHost::load(std::size_t index, QString* error) {
    auto& record = m_records.at(index);
    if (record.usable() && record.state != PluginRecord::State::Loaded) probe(record);
    if (!record.usable()) {
        if (error) *error = record.name + QStringLiteral(": ") + record.reason;
        return nullptr;
    }
    auto& loader = m_loaders.at(index);
    if (!loader) loader = std::make_unique<QPluginLoader>(record.file);
    auto* loaded = qobject_cast<CheckpointLoader*>(loader->instance());
    if (!loaded) {
        record.state = PluginRecord::State::Broken;
        record.reason = loader->errorString();
        if (error) *error = record.name + QStringLiteral(": ") + record.reason;
        return nullptr;
    }
    record.state = PluginRecord::State::Loaded;
    auto& guarded = m_guarded[loaded];
    if (!guarded) guarded = std::make_unique<GuardedLoader>(loaded, record.name.toStdString());
    return guarded.get();
}

void PluginHost::unload(std::size_t index) {
    auto& loader = m_loaders.at(index);
    if (loader && loader->isLoaded()) {
        m_guarded.erase(qobject_cast<CheckpointLoader*>(loader->instance()));
        loader->unload();
    }
    loader.reset();
    if (m_records.at(index).state == PluginRecord::State::Loaded) m_records[index].state = PluginRecord::State::Available;
}

Result<PluginHost::Match> PluginHost::loaderFor(const std::filesystem::path& path) {
    std::string reasons;
    for (std::size_t i = 0; i < m_records.size(); ++i) {
        const auto& record = m_records[i];
        if (record.state == PluginRecord::State::NotAPlugin) continue;
        QString error;
        auto* loader = record.usable() ? load(i, &error) : nullptr;
        if (!loader) {
            reasons += "\n  " + record.name.toStdString() + ": " + (error.isEmpty() ? record.reason : error).toStdString();
            continue;
        }
        const auto verdict = loader->canLoad(path);
        if (verdict.ok) return Match{loader, i};
        reasons += "\n  " + record.name.toStdString() + ": " + verdict.reason;
    }
    if (m_records.empty()) {
        return makeError(ErrorCode::NotFound, path.string() + ": no checkpoint plugins found in " + searchPath().join(", ").toStdString() +
                                                  " (pass --plugin-dir)");
    }
    return makeError(ErrorCode::Unsupported, path.string() + ": no plugin reads it:" + reasons);
}

CheckpointOpener PluginHost::opener() {
    return [this](const std::filesystem::path& path, const LoadOptions& requested) -> Result<PreparedLoad> {
        auto match = loaderFor(path);
        if (!match) return match.error();
        auto info = match->loader->inspect(path);
        if (!info) return info.error();
        auto options = requested;
        if (auto fits = checkLoadFits(info->manifest, options, path.string()); !fits) return fits.error();
        ModelInfo model{info->manifest, path.string(), m_records[match->index].name.toStdString(), options.device, options.dtype};
        return PreparedLoad{std::move(model), [loader = match->loader, path, options](const LoadControl& control) {
                                return loader->load(path, options, control);
                            }};
    };
}

int PluginHost::probeInThisProcess(const QString& file, QString* error) {
    QPluginLoader loader(file);
    auto* instance = loader.instance();
    if (!instance) {
        if (error) *error = loader.errorString();
        return 3;
    }
    if (!qobject_cast<CheckpointLoader*>(instance)) {
        if (error) *error = QStringLiteral("%1 does not implement %2").arg(file, QStringLiteral(EGMF_CHECKPOINT_LOADER_IID));
        return 3;
    }
    return 0;
}

}  // namespace egmf::plugin
