#pragma once
// What an analysis takes: a dialogue of utterances, each with its text and, where available, its
// audio and visual feature sequences. Plain values: no tensors cross the engine API.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace egmf {

/// A row-major sequence of feature frames: frames x dim values, at a fixed frame rate.
struct FeatureSequence {
    std::vector<float> values;
    std::int64_t frames = 0;
    std::int64_t dim = 0;
    double framesPerSecond = 0.0;

    bool empty() const { return frames == 0; }
};

struct Utterance {
    std::string id;  ///< unique within the dataset, e.g. "dia3_utt1"
    std::string speaker;
    std::string text;
    std::string clipPath;    ///< the utterance's clip, when it has one
    double durationSec = 0;  ///< clip length; 0 when unknown (then taken from the features)
    /// Where the utterance lies in its source, when the dataset says (MELD: times in the episode;
    /// a generic manifest: the range of the clip to analyse). 0, 0: unknown / the whole clip.
    double sourceStartSec = 0, sourceEndSec = 0;
    /// The part of the clip to analyse (a generic manifest's start_ms / end_ms, whose clip may be a
    /// whole session). 0, 0: the whole clip; an end of 0: to the end.
    double clipStartSec = 0, clipEndSec = 0;
    /// 80-bin log-mel frames (MODEL.md: hop 10 ms) and optional prosody channels appended.
    FeatureSequence audio;
    /// Face embeddings, one per sampled frame (MODEL.md: 256-d at 4 fps).
    FeatureSequence visual;
    std::optional<std::string> goldLabel;
    std::optional<double> goldScore;
    /// Tags to filter on (the demo corpus's Congruence column: "congruent" / "incongruent").
    std::vector<std::string> tags;
};

struct Dialogue {
    std::string id;
    std::vector<Utterance> utterances;
    std::string split;  ///< train | dev | test, or empty
};

}  // namespace egmf
