#pragma once
// The MERITS-L plugin: checkpoint folders whose manifest names architecture "merits-l"
// (docs/merits-l.md): speech + text, three stages, co-attention maps as its trace, no gates.

#include <QObject>

#include "egmf/plugin/checkpoint_loader.h"

namespace egmf::plugin {

class MeritsPlugin : public QObject, public CheckpointLoader {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID EGMF_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(egmf::plugin::CheckpointLoader)
public:
    Verdict canLoad(const std::filesystem::path& path) const override;
    Result<CheckpointInfo> inspect(const std::filesystem::path& path) const override;
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions& options,
                                           const LoadControl& control) override;
};

}  // namespace egmf::plugin
