#include "checkpoint_loading.h"

#ifdef EGMF_WITH_PLUGINS
#include "host/plugin_host.h"
#endif

namespace egmf::cli {

#ifdef EGMF_WITH_PLUGINS
namespace {

plugin::PluginHost& hostFor(const std::vector<std::string>& pluginDirs) {
    static plugin::PluginHost host;
    QStringList dirs;
    for (const auto& d : pluginDirs) dirs << QString::fromStdString(d);
    host.setSearchPath(dirs);
    host.discover();
    return host;
}

}  // namespace

CheckpointOpener checkpointOpener(const std::vector<std::string>& pluginDirs) {
    return hostFor(pluginDirs).opener();
}

Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin) {
    auto& host = hostFor(source.pluginDirs);
    auto match = host.loaderFor(source.path);
    if (!match) return match.error();
    if (plugin) *plugin = host.plugins()[match->index].name.toStdString();
    return match->loader->inspect(source.path);
}
#else
CheckpointOpener checkpointOpener(const std::vector<std::string>&) {
    return nativeCheckpointOpener();
}

Result<CheckpointInfo> inspectCheckpointSource(const CheckpointSource& source, std::string* plugin) {
    if (plugin) *plugin = "built-in native loader";
    return inspectCheckpoint(source.path);
}
#endif

Result<std::unique_ptr<Analyzer>> openCheckpoint(const CheckpointSource& source, const LoadOptions& options, std::string* plugin) {
    auto prepared = checkpointOpener(source.pluginDirs)(source.path, options);
    if (!prepared) return prepared.error();
    if (plugin) *plugin = prepared->model.loader;
    return prepared->run({});
}

}  // namespace egmf::cli
