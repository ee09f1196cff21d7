#pragma once
// The native EGMF checkpoint as a plugin: a folder (manifest.json + model.safetensors + the
// tokenizer; docs/checkpoint.md) or the same files in one .egmf zip archive, which is unpacked
// once into the user's cache (egmf/checkpoint_archive.h: only plain file names, atomically).

#include <QObject>

#include "common/native_folder_loader.h"

namespace egmf::plugin {

class NativePlugin : public QObject, public NativeFolderLoader {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID EGMF_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(egmf::plugin::CheckpointLoader)
public:
    Verdict canLoad(const std::filesystem::path& path) const override;

protected:
    Result<std::filesystem::path> folderFor(const std::filesystem::path& path) const override;
};

}  // namespace egmf::plugin
