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
                                           const LoadControl& control) override {
        if (control.progress) control.progress(0.0);
        auto folder = folderFor(path);
        if (!folder) return folder.error();
        // Unpacking (or making) the folder is the first 30%; its weights the rest.
        LoadControl weights{nullptr, control.cancel};
        if (control.progress) weights.progress = [&](double f) { control.progress(0.3 + 0.7 * f); };
        return loadNativeCheckpoint(*folder, options, weights);
    }

protected:
    /// The native checkpoint folder `path` is (or becomes). Errors name `path`.
    virtual Result<std::filesystem::path> folderFor(const std::filesystem::path& path) const = 0;
};

}  // namespace egmf::plugin
