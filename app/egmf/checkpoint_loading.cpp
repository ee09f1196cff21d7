#include "checkpoint_loading.h"

#include "egmf/engine.h"

#ifdef EGMF_WITH_PLUGINS
#include "host/plugin_host.h"
#endif

namespace egmf::cli {

#ifdef EGMF_WITH_PLUGINS
namespace {

plugin::PluginHost& hostFor(const CheckpointSource& source) {
    static plugin::PluginHost host;
    QStringList dirs;
    for (const auto& d : source.pluginDirs) dirs << QString::fromStdString(d);
    host.setSearchPath(dirs);
    host.discover();
    return host;
}

}  // namespace

Result<std::unique_ptr<Analyzer>> openCheckpoint(const CheckpointSource& source, const LoadOptions& options, std::string* plugin) {
    auto& host = hostFor(source);
    auto match = host.loaderFor(source.path);
    if (!match) return match.error();
    if (plugin) *plugin = host.plugins()[match->index].name.toStdString();
    return host.loadCheckpoint(source.path, options);
}

Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin) {
    auto& host = hostFor(source);
    auto match = host.loaderFor(source.path);
    if (!match) return match.error();
    if (plugin) *plugin = host.plugins()[match->index].name.toStdString();
    return match->loader->inspect(source.path);
}
#else
Result<std::unique_ptr<Analyzer>> openCheckpoint(const CheckpointSource& source, const LoadOptions& requested, std::string* plugin) {
    if (plugin) *plugin = "built-in native loader";
    auto options = requested;
    auto manifest = readManifest(source.path);
    if (!manifest) return manifest.error();
    if (auto fits = checkLoadFits(*manifest, options, source.path.string()); !fits) return fits.error();
    return loadNativeCheckpoint(source.path, options);
}

Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin) {
    if (plugin) *plugin = "built-in native loader";
    return inspectCheckpoint(source.path);
}
#endif

}  // namespace egmf::cli
