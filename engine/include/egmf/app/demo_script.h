#pragma once
// The demo corpus as a script: who says what, with which voice and face, before anything
// is rendered. Deterministic for a seed. The design makes every modality necessary:
//   - the words carry the literal content: a line written for the emotion, or (about 3 in 10
//     congruent utterances) a line that fits several emotions ("You did what?");
//   - the voice carries arousal only (espeak-ng pitch, speed, amplitude) in three bands, so it
//     cannot tell joy from anger, or fear from a calm neutral;
//   - the face carries five expressions (mouth, brows, eyes, a wrinkled nose); two are shared by
//     look-alike pairs (surprise ~ fear, anger ~ disgust) that the voice separates, so voice and
//     face together decide every emotion and neither does alone;
//   - every speaker has their own pitch, pace and resting face, and every utterance its own noise;
//   - incongruent utterances (about a quarter: sarcasm, masking, teasing) say one emotion in words
//     that elsewhere are meant (the same lines occur congruently), while the gold follows the
//     voice and the face.
// Torch-free and OpenCV-free: plain values that demo_render.h turns into clips.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace egmf::demo {

/// MELD's seven, in MELD's order (the bundled checkpoints' label order).
inline constexpr std::array<const char*, 7> kEmotions = {"neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"};

struct Voice {
    int pitch = 50;       ///< espeak-ng -p (0-99)
    int speed = 170;      ///< -s, words per minute
    int amplitude = 100;  ///< -a (0-200)
    std::string variant;  ///< -v en+<variant>
};

/// Expression parameters, each about -1..1 (eyeOpen about 0.4..1.5).
struct Face {
    double smile = 0;      ///< mouth corners up (+) or down (-)
    double mouthOpen = 0;  ///< resting opening; speech adds to it
    double browTilt = 0;   ///< + inner ends down (anger), - inner ends up (sadness, fear)
    double browRaise = 0;  ///< brows up (+) or down (-)
    double eyeOpen = 1;
    double wrinkle = 0;  ///< nose wrinkle (disgust)
};

struct Speaker {
    std::string name;
    Voice voice;                ///< the speaker's resting voice
    Face restingFace;           ///< added to every expression
    std::array<int, 3> skin{};  ///< BGR
    std::array<int, 3> hair{};
    double headScale = 1.0;
};

struct DemoUtterance {
    int dialogue = 0, index = 0;
    std::string speaker, text;
    std::string emotion;         ///< gold
    std::string surfaceEmotion;  ///< what the words alone say (== emotion when congruent)
    bool incongruent = false;
    double sentiment = 0;  ///< [-3, 3], one decimal
    Voice voice;
    Face face;
};

struct DemoDialogue {
    int id = 0;
    std::string split;  ///< train | dev | test
    std::vector<DemoUtterance> utterances;
};

struct DemoScript {
    std::uint64_t seed = 0;
    std::vector<Speaker> speakers;
    std::vector<DemoDialogue> dialogues;
};

/// 72 dialogues of 5-12 utterances: 44 train, 8 dev, 20 test (split by dialogue).
DemoScript writeScript(std::uint64_t seed);

/// "positive" | "negative" | "neutral", as MELD's Sentiment column, from the score.
const char* sentimentName(double score);

}  // namespace egmf::demo
