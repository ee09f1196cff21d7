#pragma once
// Everything the model eats from one clip (MODEL.md 1), in one pass: FFmpeg decodes the audio to
// 16 kHz mono and samples video frames at the visual rate (scaled to detectionWidth); the audio
// becomes the 80-bin log-mel (+ pitch and energy when asked), each sampled frame a face crop
// (Haar; centre square without a face) run through face-api's expression network, whose pooled
// 256-d embedding is the visual feature and whose 7 probabilities the Studio shows.
//
// Torch-free header (plain vectors out), so the app and the data layer use it without LibTorch
// or FFmpeg headers. One extractor per thread: it holds the detector and the network.

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "egmf/dialogue.h"
#include "egmf/manifest.h"
#include "egmf/result.h"
#include "face_crop.h"
#include "media_file.h"

namespace egmf::features {

struct ClipFeatureOptions {
    bool prosody = false;  ///< append pitch (kHz) and log energy to each log-mel frame
    double visualFramesPerSecond = 4.0;
    int detectionWidth = 640;            ///< frames are scaled to this width for detection and crops
    int decoderThreads = 0;              ///< FFmpeg's; 0: its choice
    std::filesystem::path faceModelDir;  ///< empty: the bundled face-api weights
    /// An utterance clip longer than this is analysed from its first maxClipSeconds, with a
    /// warning (MELD has clips wrongly cut to 4-5 minutes; DATASETS.md).
    double maxClipSeconds = 60.0;
};

struct FaceObservation {
    double timeSec = 0.0;
    FaceCrop crop;                  ///< 112 x 112 RGB, with the box it came from
    std::array<float, 7> logits{};  ///< face-api's order: neutral, happy, sad, angry, fearful, disgusted, surprised
    std::array<float, 7> probabilities{};
};

struct ClipFeatures {
    media::StreamInfo info;
    std::vector<std::string> warnings;
    FeatureSequence audio;               ///< [frames, 80 (+2)] at 100 fps; empty without an audio stream
    FeatureSequence visual;              ///< [samples, 256] at visualFramesPerSecond; empty without video
    std::vector<FaceObservation> faces;  ///< one per visual frame
    double decodeMs = 0, audioFeaturesMs = 0, cropMs = 0, networkMs = 0;
};

class ClipFeatureExtractor {
public:
    static Result<ClipFeatureExtractor> create(const ClipFeatureOptions& options = {});
    ClipFeatureExtractor(ClipFeatureExtractor&&) noexcept;
    ClipFeatureExtractor& operator=(ClipFeatureExtractor&&) noexcept;
    ~ClipFeatureExtractor();

    /// The clip, or its [startSec, endSec) range (endSec 0: to the end). Errors name the clip.
    Result<ClipFeatures> extract(const std::filesystem::path& clip, double startSec = 0, double endSec = 0) const;

    /// The options that give the features `manifest` asks for (80 or 82 audio channels, its
    /// visual rate), the rest taken from `base`.
    static ClipFeatureOptions optionsFor(const Manifest& manifest, ClipFeatureOptions base = {});

    /// Fills `utterance.audio` and `.visual` from its clipPath, in the shape `manifest` asks for
    /// (the extractor must come from optionsFor(manifest)); returns the decoder's warnings.
    Result<std::vector<std::string>> fill(Utterance& utterance, const Manifest& manifest) const;

    const ClipFeatureOptions& options() const { return m_options; }

private:
    struct Models;
    ClipFeatureExtractor(ClipFeatureOptions options, std::unique_ptr<Models> models);
    ClipFeatureOptions m_options;
    std::unique_ptr<Models> m_models;
};

}  // namespace egmf::features
