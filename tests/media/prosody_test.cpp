// Prosody channels: aubio's YIN pitch on tones of known frequency and on espeak-ng voices of
// different pitch (decoded by our FFmpeg path), energy against its definition, frame alignment.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>

#include <gtest/gtest.h>
#include <unistd.h>

#include "egmf/app/media_file.h"
#include "egmf/paths.h"
#include "features/prosody.h"

namespace egmf::features {
namespace {

std::vector<float> tone(double hz, double seconds, double amplitude, double startSec = 0.0) {
    std::vector<float> samples(static_cast<std::size_t>(seconds * 16000));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double t = static_cast<double>(i) / 16000.0;
        samples[i] = t < startSec ? 0.0f : static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * t));
    }
    return samples;
}

float median(std::vector<float> values) {
    values.erase(std::remove(values.begin(), values.end(), 0.0f), values.end());
    if (values.empty()) {
        return 0.0f;
    }
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
    return values[values.size() / 2];
}

TEST(Prosody, pitchAndEnergy_matchAToneOfKnownFrequencyAndLevel) {
    for (double hz : {120.0, 200.0, 320.0}) {  // whole periods in the 400-sample window
        const auto samples = tone(hz, 1.0, 0.5);
        const auto prosody = computeProsody(samples);
        ASSERT_EQ(prosody.pitchKhz.size(), 101u);  // N / hop + 1, like the log-mel
        ASSERT_EQ(prosody.logEnergy.size(), 101u);
        for (std::size_t j = 5; j < 96; ++j) {
            EXPECT_NEAR(prosody.pitchKhz[j] * 1000.0, hz, 0.02 * hz) << "frame " << j;
            EXPECT_NEAR(prosody.logEnergy[j], std::log(0.125), 0.02) << "frame " << j;  // A^2 / 2
        }
    }
}

TEST(Prosody, framesAreCentredLikeTheLogMel) {
    // Silence, then a tone from 0.5 s (sample 8000 = frame 50).
    const auto prosody = computeProsody(tone(200.0, 1.0, 0.5, 0.5));
    EXPECT_FLOAT_EQ(prosody.logEnergy[47], static_cast<float>(std::log(1e-10)));  // window ends at 7,720
    EXPECT_GT(prosody.logEnergy[52], -3.0f);
    EXPECT_EQ(prosody.pitchKhz[40], 0.0f);
    EXPECT_NEAR(prosody.pitchKhz[60] * 1000.0, 200.0, 4.0);
}

TEST(Prosody, silenceHasNoPitch) {
    const auto prosody = computeProsody(std::vector<float>(8000, 0.0f));
    for (float p : prosody.pitchKhz) {
        EXPECT_EQ(p, 0.0f);
    }
    EXPECT_TRUE(computeProsody({}).pitchKhz.empty());
}

TEST(Prosody, espeakVoices_higherPitchFlagGivesHigherPitch) {
    const auto dir = std::filesystem::temp_directory_path() / ("egmf-prosody-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    float medians[2] = {};
    int index = 0;
    for (const char* pitchFlag : {"20", "90"}) {
        const auto wav = dir / ("voice" + std::string(pitchFlag) + ".wav");
        const auto command =
            "espeak-ng -v en -p " + std::string(pitchFlag) + " -w '" + wav.string() + "' 'I really cannot believe you did that to me.'";
        ASSERT_EQ(std::system(command.c_str()), 0) << command << " (scripts/setup.sh installs espeak-ng)";
        auto decoded = media::decodeClip(wav, {});
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        const auto prosody = computeProsody(decoded->audio.samples);
        medians[index++] = median(prosody.pitchKhz) * 1000.0f;
    }
    removeTree(dir);
    std::printf("[ prosody  ] espeak-ng -p 20: median pitch %.0f Hz, -p 90: %.0f Hz\n", medians[0], medians[1]);
    EXPECT_GT(medians[0], 60.0f);
    EXPECT_GT(medians[1], medians[0] * 1.2f);
}

TEST(Prosody, appendProsody_addsTwoColumnsPerFrame) {
    const std::vector<float> logMel{1, 2, 3, 4, 5, 6};  // 2 frames x 3 bins
    ProsodyFrames prosody{{0.1f, 0.2f}, {-1.0f, -2.0f}};
    EXPECT_EQ(appendProsody(logMel, 3, prosody), (std::vector<float>{1, 2, 3, 0.1f, -1.0f, 4, 5, 6, 0.2f, -2.0f}));
}

}  // namespace
}  // namespace egmf::features
