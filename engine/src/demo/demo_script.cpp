#include "egmf/app/demo_script.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "demo_lines.h"

namespace egmf::demo {
namespace {

struct Profile {
    const char* emotion;
    double arousal;  ///< what the voice carries
    Face face;       ///< what the face carries
    double sentimentMean, sentimentSd;
    double prior;  ///< share of utterances
};

// The voice carries arousal in three bands (low: sadness, disgust; middle: neutral, fear; high:
// joy, surprise, anger). The face carries five expressions, two of them shared by look-alike
// pairs (wide-eyed: surprise and fear; frowning: anger and disgust) that the voice separates. So
// voice and face together decide every emotion, and neither does alone.
const Face kNeutralFace{0.0, 0.05, 0.0, 0.0, 1.0, 0.0};
const Face kSmile{0.9, 0.35, 0.0, 0.2, 0.85, 0.0};
const Face kWideEyed{-0.1, 0.7, -0.3, 0.8, 1.4, 0.0};
const Face kFrown{-0.6, 0.15, 0.8, -0.4, 0.8, 0.5};
const Face kSad{-0.7, 0.0, -0.8, 0.1, 0.65, 0.0};
const std::array<Profile, 7> kProfiles = {{
    {"neutral", 0.50, kNeutralFace, 0.0, 0.4, 0.30},
    {"surprise", 0.88, kWideEyed, 0.6, 0.9, 0.12},
    {"fear", 0.50, kWideEyed, -1.4, 0.6, 0.09},
    {"sadness", 0.12, kSad, -2.0, 0.6, 0.10},
    {"joy", 0.80, kSmile, 2.1, 0.6, 0.17},
    {"disgust", 0.15, kFrown, -1.7, 0.6, 0.09},
    {"anger", 0.90, kFrown, -2.2, 0.5, 0.13},
}};

const Profile& profile(const std::string& emotion) {
    for (const auto& p : kProfiles) {
        if (emotion == p.emotion) return p;
    }
    return kProfiles[0];
}

std::vector<Speaker> cast() {
    // name, voice (pitch, speed, amplitude, variant), resting face, skin, hair, head scale
    return {
        {"Maya", {58, 165, 100, "f3"}, {0.10, 0, 0, 0.10, 1.00, 0}, {{150, 180, 225}}, {{30, 40, 70}}, 1.00},
        {"Theo", {38, 172, 100, "m3"}, {0.15, 0, 0, 0.00, 0.95, 0}, {{120, 160, 210}}, {{20, 30, 40}}, 1.05},
        {"Priya", {55, 182, 100, "f2"}, {0.00, 0, 0, 0.05, 1.10, 0}, {{90, 130, 180}}, {{15, 15, 20}}, 0.95},
        {"Sam", {44, 158, 100, "m1"}, {0.00, 0, 0, 0.00, 1.00, 0}, {{170, 195, 235}}, {{60, 120, 180}}, 1.00},
        {"Lena", {62, 176, 100, "f4"}, {-0.10, 0, 0.10, 0.00, 0.95, 0}, {{160, 190, 240}}, {{40, 80, 150}}, 0.92},
        {"Omar", {35, 165, 100, "m7"}, {0.00, 0, 0, -0.15, 1.00, 0}, {{80, 120, 170}}, {{25, 25, 25}}, 1.08},
    };
}

class Writer {
public:
    explicit Writer(std::uint64_t seed) : m_rng(seed) {}

    double normal(double sd) { return std::normal_distribution<double>(0.0, sd)(m_rng); }
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
    }

    std::string nextEmotion(const std::string& previous) {
        if (!previous.empty() && chance(0.3)) return previous;  // moods carry over
        std::vector<double> weights;
        for (const auto& p : kProfiles) weights.push_back(p.prior);
        return kProfiles[std::discrete_distribution<std::size_t>(weights.begin(), weights.end())(m_rng)].emotion;
    }

    /// The words for a congruent utterance: mostly a line written for the emotion, sometimes one
    /// that fits several; never a line used earlier in the dialogue.
    std::string congruentText(const std::string& emotion, std::vector<std::string>& used, bool allowAmbiguous = true) {
        std::vector<std::string> options;
        if (allowAmbiguous && chance(0.3)) {
            for (const auto& line : ambiguousLines()) {
                if (std::find(line.emotions.begin(), line.emotions.end(), emotion) != line.emotions.end()) options.push_back(line.text);
            }
        }
        if (options.empty()) options = linesSaying(emotion);
        std::erase_if(options, [&](const std::string& text) { return std::find(used.begin(), used.end(), text) != used.end(); });
        const auto text = pick(options);
        used.push_back(text);
        return text;
    }

    /// Lines whose words say `emotion`: those written for it, and the incongruent bank's lines
    /// whose surface it is (so "Oh, great. That's just great." is sometimes meant).
    static std::vector<std::string> linesSaying(const std::string& emotion) {
        std::vector<std::string> lines;
        for (const auto& group : literalLines()) {
            if (emotion == group.emotion) lines.assign(group.lines.begin(), group.lines.end());
        }
        for (const auto& line : incongruentLines()) {
            if (emotion == line.surface) lines.push_back(line.text);
        }
        return lines;
    }

    Voice voice(const Speaker& speaker, double arousal) {
        const double a = std::clamp(arousal + normal(0.07), 0.0, 1.0);
        Voice v = speaker.voice;
        v.pitch = std::clamp(static_cast<int>(std::lround(speaker.voice.pitch + (a - 0.5) * 70 + normal(4))), 0, 99);
        v.speed = std::clamp(static_cast<int>(std::lround(speaker.voice.speed + (a - 0.5) * 140 + normal(8))), 90, 260);
        v.amplitude = std::clamp(static_cast<int>(std::lround(60 + a * 130 + normal(8))), 40, 200);
        return v;
    }

    Face face(const Speaker& speaker, const Face& expression) {
        const auto& rest = speaker.restingFace;
        return {expression.smile + rest.smile + normal(0.15),
                std::max(0.0, expression.mouthOpen + rest.mouthOpen + normal(0.1)),
                expression.browTilt + rest.browTilt + normal(0.15),
                expression.browRaise + rest.browRaise + normal(0.15),
                std::clamp(expression.eyeOpen * rest.eyeOpen + normal(0.08), 0.4, 1.6),
                std::clamp(expression.wrinkle + rest.wrinkle + normal(0.12), 0.0, 1.2)};
    }

    double sentiment(const std::string& emotion) {
        const auto& p = profile(emotion);
        return std::round(std::clamp(p.sentimentMean + normal(p.sentimentSd), -3.0, 3.0) * 10) / 10;
    }

private:
    std::mt19937_64 m_rng;
};

}  // namespace

const char* sentimentName(double score) {
    if (score > 0.4) return "positive";
    if (score < -0.4) return "negative";
    return "neutral";
}

DemoScript writeScript(std::uint64_t seed) {
    Writer w(seed);
    DemoScript script;
    script.seed = seed;
    script.speakers = cast();
    // The split of each of the 72 dialogues, shuffled by the seed: 44 train, 8 dev, 20 test.
    std::vector<std::string> splits(44, "train");
    splits.insert(splits.end(), 8, "dev");
    splits.insert(splits.end(), 20, "test");
    std::shuffle(splits.begin(), splits.end(), std::mt19937_64(seed ^ 0x5eed));
    std::map<std::string, int> nextId;
    for (const auto& split : splits) {
        DemoDialogue dialogue;
        dialogue.id = nextId[split]++;
        dialogue.split = split;
        // Test dialogues are 8-12 long, so the test split has >= 160 utterances and >= 40 incongruent.
        const int length = split == "test" ? w.uniform(8, 12) : w.uniform(5, 12);
        const int incongruent = static_cast<int>(std::lround(0.27 * length));
        std::vector<int> order(static_cast<std::size_t>(length));
        for (int i = 0; i < length; ++i) order[static_cast<std::size_t>(i)] = i;
        for (int i = length - 1; i > 0; --i)
            std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(w.uniform(0, i))]);
        std::vector<bool> isIncongruent(static_cast<std::size_t>(length), false);
        for (int i = 0; i < incongruent; ++i) isIncongruent[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = true;
        // Two or three of the cast, taking turns (sometimes someone goes on).
        std::vector<int> people{0, 1, 2, 3, 4, 5};
        for (int i = 5; i > 0; --i) std::swap(people[static_cast<std::size_t>(i)], people[static_cast<std::size_t>(w.uniform(0, i))]);
        people.resize(static_cast<std::size_t>(w.uniform(2, 3)));
        std::string emotion;
        std::vector<std::string> used;
        int speaker = 0;
        for (int i = 0; i < length; ++i) {
            if (i > 0 && !w.chance(0.15)) speaker = (speaker + 1 + (people.size() == 3 && w.chance(0.3))) % static_cast<int>(people.size());
            const auto& who = script.speakers[static_cast<std::size_t>(people[static_cast<std::size_t>(speaker)])];
            DemoUtterance u;
            u.dialogue = dialogue.id;
            u.index = i;
            u.speaker = who.name;
            if (isIncongruent[static_cast<std::size_t>(i)]) {
                // A pairing of the bank (felt, said), in words that also occur meant elsewhere:
                // the words alone mislead, voice and face tell the truth.
                const auto& pairing = w.pick(incongruentLines());
                u.emotion = pairing.felt;
                u.surfaceEmotion = pairing.surface;
                u.text = w.congruentText(pairing.surface, used, false);
                u.incongruent = true;
            } else {
                u.emotion = w.nextEmotion(emotion);
                u.surfaceEmotion = u.emotion;
                u.text = w.congruentText(u.emotion, used);
            }
            emotion = u.emotion;
            const auto& p = profile(u.emotion);
            u.voice = w.voice(who, p.arousal);
            u.face = w.face(who, p.face);
            u.sentiment = w.sentiment(u.emotion);
            dialogue.utterances.push_back(std::move(u));
        }
        script.dialogues.push_back(std::move(dialogue));
    }
    return script;
}

}  // namespace egmf::demo
