// egmf plugins [--plugin-dir DIR]...: the checkpoint plugins found, each with its state and why
// (metadata only; `--probe` also tries each one's first load in a child process).
// egmf plugin-probe FILE: loads one plugin in this process and checks its interface; the plugin
// host runs it as a child, so a plugin that crashes takes only this process down.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "host/plugin_host.h"

namespace egmf::cli {

Command addPluginsCommand(CLI::App& app) {
    auto* list = app.add_subcommand("plugins", "List the checkpoint plugins and their state");
    auto dirs = std::make_shared<std::vector<std::string>>();
    auto probe = std::make_shared<bool>(false);
    auto json = std::make_shared<bool>(false);
    list->add_option("--plugin-dir", *dirs, "A folder of plugins, searched before the installed ones");
    list->add_flag("--probe", *probe, "Also try each plugin's first load (in a child process)");
    list->add_flag("--json", *json, "Print JSON");
    return [dirs, probe, json]() {
        plugin::PluginHost host;
        QStringList folders;
        for (const auto& d : *dirs) folders << QString::fromStdString(d);
        host.setSearchPath(folders);
        host.discover();
        if (*probe) {
            for (std::size_t i = 0; i < host.plugins().size(); ++i) {
                if (host.plugins()[i].usable()) host.load(i);
            }
        }
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : host.plugins()) {
            nlohmann::json formats = nlohmann::json::array();
            for (const auto& f : p.formats) formats.push_back(f.toStdString());
            out.push_back({{"file", p.file.toStdString()},
                           {"name", p.name.toStdString()},
                           {"version", p.version.toStdString()},
                           {"formats", formats},
                           {"architecture", p.architecture.toStdString()},
                           {"torch_version", p.torchVersion.toStdString()},
                           {"state", plugin::stateName(p.state)},
                           {"reason", p.reason.toStdString()}});
            if (!*json) {
                std::printf("%-28s %-22s %s%s%s\n", p.name.toStdString().c_str(), plugin::stateName(p.state), p.file.toStdString().c_str(),
                            p.reason.isEmpty() ? "" : "\n    ", p.reason.toStdString().c_str());
            }
        }
        if (*json) std::printf("%s\n", out.dump(2).c_str());
        return 0;
    };
}

Command addPluginProbeCommand(CLI::App& app) {
    auto* probe = app.add_subcommand("plugin-probe", "Load one plugin in this process (the plugin host's child)");
    probe->group("");  // not listed in --help: the host runs it
    auto file = std::make_shared<std::string>();
    probe->add_option("file", *file, "The plugin file")->required();
    return [file]() {
        QString error;
        const int code = plugin::PluginHost::probeInThisProcess(QString::fromStdString(*file), &error);
        if (code != 0) std::fprintf(stderr, "%s\n", error.toStdString().c_str());
        return code;
    };
}

}  // namespace egmf::cli
