#pragma once
// A plugin's CheckpointLoader as the host hands it out: every call is forwarded inside try/catch,
// so a plugin that throws (from canLoad, inspect or load, on whichever thread) becomes an error
// that names the plugin and the file instead of terminating the Studio or `egmf`. Crashes are the
// probe's business (plugin_host.h); exceptions are this class's.

#include <string>

#include "egmf/plugin/checkpoint_loader.h"

namespace egmf::plugin {

class GuardedLoader final : public CheckpointLoader {
public:
    GuardedLoader(CheckpointLoader* plugin, std::string pluginName) : m_plugin(plugin), m_name(std::move(pluginName)) {}
    Verdict canLoad(const std::filesystem::path& path) const override;
    Result<CheckpointInfo> inspect(const std::filesystem::path& path) const override;
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions& options,
                                           const LoadControl& control) override;
    CheckpointLoader* plugin() const { return m_plugin; }

private:
    std::string failure(const char* call, const std::filesystem::path& path, const std::string& what) const;
    CheckpointLoader* m_plugin;
    std::string m_name;
};

}  // namespace egmf::plugin
