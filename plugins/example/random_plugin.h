#pragma once
// The example plugin (and the one the plugin tests load): an EGMF with random weights described
// by a small JSON file, *.egmf-random.json = {"manifest": {... manifest.json ...}, "seed": N}.
// It is made into a native checkpoint in the user's cache on first use (createRandomCheckpoint)
// and loaded from there: a real model whose predictions mean nothing, for trying the Studio's
// views on a new shape (a wider fusion, another LLM size) before any training.

#include <QObject>

#include "common/native_folder_loader.h"

namespace egmf::plugin {

class RandomPlugin : public QObject, public NativeFolderLoader {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID EGMF_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(egmf::plugin::CheckpointLoader)
public:
    Verdict canLoad(const std::filesystem::path& path) const override;

protected:
    Result<std::filesystem::path> folderFor(const std::filesystem::path& path) const override;
};

}  // namespace egmf::plugin
