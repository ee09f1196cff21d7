#pragma once
// The clip checks of a dataset (DATASETS.md): every clip is opened with FFmpeg (stream information
// only, no decoding); one that cannot be read is reported and its utterance becomes text only,
// one longer than the limit (MELD has two wrongly cut 4-5 minute clips) is reported and kept (the
// decoder caps what it reads). Torch-free; needs FFmpeg, so not in the model-only build.

#include <functional>

#include "egmf/dataset.h"

namespace egmf::data {

struct ClipCheckOptions {
    double maxSeconds = 60.0;
    std::function<void(int done, int total)> progress;
};

/// Adds UndecodableClip / LongClip problems and fills each utterance's durationSec.
void checkClips(Dataset& dataset, const ClipCheckOptions& options = {});

}  // namespace egmf::data
