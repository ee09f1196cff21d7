#pragma once
// What an analysis returns: per utterance, the prediction and everything the Studio draws
// (attention per head, gates per position with each position's time, timings). Plain values.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace egmf {

enum class Modality : std::uint8_t { Text = 0, Audio = 1, Visual = 2 };
inline constexpr int kModalityCount = 3;
inline constexpr int kExpertCount = 3;  ///< local, semantic, global (MODEL.md section 3)
/// The experts' names, as manifests, configs and results write them.
inline constexpr const char* kExpertNames[kExpertCount] = {"local", "semantic", "global"};

/// A dense row-major array: values.size() == product(shape).
struct Matrix {
    std::vector<float> values;
    std::vector<std::int64_t> shape;

    std::int64_t numel() const {
        std::int64_t n = 1;
        for (auto s : shape) {
            n *= s;
        }
        return shape.empty() ? 0 : n;
    }
};

/// One position of the fused sequence H_f: which modality it came from and where it sits in time.
struct Position {
    Modality modality = Modality::Text;
    double timeSec = 0.0;
};

/// Both cross-attention directions, per head. Axis lengths: T_t text positions, T_av = audio then
/// visual positions. An empty side gives a tensor with a zero axis, never NaN.
struct AttentionTrace {
    Matrix textToAv;  ///< [heads, T_t, T_av]
    Matrix avToText;  ///< [heads, T_av, T_t]
};

/// Gate weights per position of H_f (T = T_t + T_a + T_v). Each row of a gate matrix sums to 1
/// over enabled experts; with every expert off they are all 0 and alpha is 1.
struct GateTrace {
    Matrix featureGates;       ///< g_f [T, 3]
    Matrix contextGates;       ///< g_c [T, 3]
    Matrix gates;              ///< g = softmax(z_f + z_c) [T, 3]
    std::vector<float> alpha;  ///< residual coefficient per position [T]
    /// The modality gate above the experts (a manifest's enhancer.modality_gate): text, audio,
    /// visual for the whole utterance (0 where absent); empty when the model has none.
    std::vector<float> modalityGates;
};

struct StageTimings {
    double featuresMs = 0;  ///< decoding the clip into features (0: they came with it, or cached)
    double encodeMs = 0;    ///< text, audio and visual encoders
    double fusionMs = 0;    ///< cross-attention
    double contextMs = 0;   ///< this utterance's share of the dialogue GRU
    double enhanceMs = 0;   ///< experts and gates
    double promptMs = 0;    ///< pseudo tokens + the prompt's forward pass
    double generateMs = 0;  ///< greedy decoding after the prompt
    double scoreMs = 0;     ///< label scoring from the prompt's cache
    double totalMs() const { return featuresMs + encodeMs + fusionMs + contextMs + enhanceMs + promptMs + generateMs + scoreMs; }
};

inline constexpr const char* kUnparsable = "unparsable";

struct UtteranceResult {
    std::string utteranceId;
    /// Non-empty: this utterance could not be analysed in full (the rest of its dialogue was). When
    /// only its clip failed, it was analysed from its text and the prediction fields are filled.
    std::string error;
    /// Analysed, but not all of it as it is: the decoder's notes on the clip ("audio longer than
    /// 60 s; decoded the first 60 s").
    std::vector<std::string> warnings;
    std::string generated;  ///< the raw greedy generation
    /// Classification: the label the generation matches exactly (trimmed), else "unparsable".
    /// Regression: the number, formatted, else "unparsable".
    std::string prediction;
    std::optional<double> predictedScore;  ///< regression only, when the generation parsed
    std::string scoredPrediction;          ///< classification: the best-scoring label
    std::vector<std::string> labels;       ///< the label order of labelLogProbs / probabilities
    std::vector<double> labelLogProbs;     ///< sum of each label's token log-probabilities
    std::vector<double> probabilities;     ///< softmax over labelLogProbs
    std::vector<std::int32_t> tokenIds;    ///< the utterance text's token ids
    std::vector<std::string> tokenPieces;
    std::vector<Position> positions;  ///< every position of H_f, in order
    std::int64_t textLength = 0, audioLength = 0, visualLength = 0;
    AttentionTrace attention;
    GateTrace gates;
    StageTimings timings;
};

struct DialogueResult {
    std::string dialogueId;
    std::vector<UtteranceResult> utterances;
};

}  // namespace egmf
