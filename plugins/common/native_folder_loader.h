#pragma once
// The part of a checkpoint plugin whose checkpoints become a native EGMF folder (an unpacked
// .egmf archive, a random-weight description made into one): inspect and load read that folder;
// a plugin says only which paths it takes and where their folder is.

#include "egmf/plugin/checkpoint_loader.h"

namespace egmf::plugin {

class NativeFolderLoader : public CheckpointLoader {
public:
    Result<CheckpointInfo> inspect(const std::filesystem::path& path) const override {
        auto folder = folderFor(path);
        if (!folder) return folder.error();
        return inspectCheckpoint(*folder);
    }
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions& options,
                                           const std::function<void(double)>& progress) override {
        if (progress) progress(0.0);
        auto folder = folderFor(path);
        if (!folder) return folder.error();
        if (progress) progress(0.3);
        auto analyzer = loadNativeCheckpoint(*folder, options);
        if (progress) progress(1.0);
        return analyzer;
    }

protected:
    /// The native checkpoint folder `path` is (or becomes). Errors name `path`.
    virtual Result<std::filesystem::path> folderFor(const std::filesystem::path& path) const = 0;
};

}  // namespace egmf::plugin
