#pragma once
// Features of a whole dataset for training, computed once: each clip through the FeatureSource
// (FFmpeg, log-mel + pitch/energy, faces + face-api), kept in one safetensors file named by a
// hash of every clip's path, size, time and range and of the feature form, so a changed clip or
// another model shape computes afresh and a second run (or another process of the same run)
// decodes nothing. Utterances whose clip fails keep empty features (text only) and are counted.

#include <filesystem>
#include <functional>
#include <vector>

#include "egmf/dialogue.h"
#include "egmf/feature_source.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::train {

struct FeatureFill {
    int extracted = 0, fromCache = 0, failed = 0;
    std::filesystem::path cacheFile;
};

/// `source` may be null when the cache has everything (a process launched by another).
Result<FeatureFill> fillDatasetFeatures(std::vector<Dialogue*> dialogues, const Manifest& manifest, FeatureSource* source,
                                        const std::filesystem::path& cacheFolder,
                                        const std::function<void(int done, int total)>& progress = {});

/// $XDG_CACHE_HOME/egmf-studio/features (or ~/.cache/...).
std::filesystem::path defaultFeatureCacheFolder();

}  // namespace egmf::train
