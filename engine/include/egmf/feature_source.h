#pragma once
// Where the engine gets an utterance's audio and visual features when a dialogue brings only its
// clips (a dataset read from disk). The engine asks its FeatureSource, on the inference thread,
// for every utterance that has a clip and no features yet; a clip that fails is reported on that
// utterance and the utterance is analysed from what is left (its text), so the dialogue goes on.
//
// makeClipFeatureSource() is the real one (FFmpeg + OpenCV + face-api, in egmf_clip_features,
// absent from the model-only build). It keeps the features of recent clips (ablations and
// re-runs of the dialogue on screen decode nothing twice); a clip changed on disk is decoded
// again. Torch-free header.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "egmf/dialogue.h"
#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf {

class FeatureSource {
public:
    virtual ~FeatureSource() = default;
    /// Fills utterance.audio and .visual in the form `manifest` asks for from utterance.clipPath
    /// (its clipStartSec..clipEndSec); returns the decoder's warnings. Errors name the clip.
    virtual Result<std::vector<std::string>> fill(Utterance& utterance, const Manifest& manifest) = 0;
    /// The engine's thread count for the job about to run (libraries with their own pools).
    virtual void setThreads(int threads) { (void)threads; }
};

struct ClipFeatureSourceOptions {
    std::size_t cacheBytes = std::size_t{256} << 20;  ///< features kept for re-use; 0: none
    int decoderThreads = 0;                           ///< FFmpeg's threads per clip; 0: the engine's thread count
    std::filesystem::path faceModelDir;               ///< empty: the bundled face-api weights
};

/// The clip decoder + feature extractor as a FeatureSource (builds with FFmpeg only).
std::shared_ptr<FeatureSource> makeClipFeatureSource(ClipFeatureSourceOptions options = {});

}  // namespace egmf
