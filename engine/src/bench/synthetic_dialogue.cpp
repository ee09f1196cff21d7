#include "synthetic_dialogue.h"

#include <random>

namespace egmf::bench {

Dialogue syntheticDialogue(const Manifest& m, int utterances, std::uint64_t seed) {
    static const char* const kLines[] = {"Oh my God, you actually did it!",
                                         "I don't know what you're talking about.",
                                         "Fine. Whatever. It's not like I care.",
                                         "Could this BE any more awkward?",
                                         "We were on a break!",
                                         "That is the sweetest thing anyone has ever said to me.",
                                         "No, no, no, that's not what I meant at all.",
                                         "Wait, you're moving to Paris?",
                                         "Get out of my apartment right now.",
                                         "Okay, so how did it go?",
                                         "I'm fine, really, totally fine.",
                                         "Ugh, that smell is disgusting."};
    static const char* const kSpeakers[] = {"Monica", "Chandler", "Rachel", "Ross"};
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<double> seconds(1.5, 4.0);
    Dialogue d{"bench", {}, {}};
    for (int i = 0; i < utterances; ++i) {
        Utterance u;
        u.id = "dia0_utt" + std::to_string(i);
        u.speaker = kSpeakers[i % 4];
        u.text = kLines[static_cast<std::size_t>(i) % std::size(kLines)];
        u.durationSec = seconds(rng);
        auto fill = [&](FeatureSequence& f, std::int64_t dim, double fps) {
            f.dim = dim;
            f.framesPerSecond = fps;
            f.frames = static_cast<std::int64_t>(u.durationSec * fps);
            f.values.resize(static_cast<std::size_t>(f.frames * dim));
            for (auto& v : f.values) {
                v = normal(rng);
            }
        };
        fill(u.audio, m.audioFeatureDim, m.audioFramesPerSecond);
        fill(u.visual, m.visualFeatureDim, m.visualFramesPerSecond);
        d.utterances.push_back(std::move(u));
    }
    return d;
}

}  // namespace egmf::bench
