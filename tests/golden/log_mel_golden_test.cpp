// The log-mel features against torchaudio.transforms.MelSpectrogram (its own process) on speech
// synthesised by espeak-ng: equal within 1e-4 on every frame and bin.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "bench/reference_io.h"
#include "features/log_mel.h"
#include "loading/weights.h"

namespace egmf {
namespace {

std::string quoted(const std::string& text) {
    return "'" + text + "'";
}

TEST(LogMelGolden, compute_equalsTorchaudio_onSynthesisedSpeech) {
    struct Voice {
        const char* flags;
        const char* text;
    };
    const Voice voices[] = {
        {"-v en -s 160", "Oh my God, you actually did it!"},
        {"-v en-us+f3 -p 80 -s 220 -a 150", "We were on a break."},
        {"-v en+m3 -p 20 -s 120 -a 60", "Fine. Whatever."},
    };
    if (!EGMF_ESPEAK_REQUIRED && std::system("command -v espeak-ng >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "espeak-ng is not installed on this model-only machine";
    }
    const features::LogMelSpectrogram logMel;
    test::TempDir dir;
    const std::string script = test::sourceDir().string() + "/tests/golden/log_mel_reference.py";
    int index = 0;
    for (const auto& voice : voices) {
        SCOPED_TRACE(voice.flags);
        const auto wav = (dir.path() / ("speech" + std::to_string(index) + ".wav")).string();
        const auto out = (dir.path() / ("mel" + std::to_string(index++) + ".safetensors")).string();
        const auto speak = std::string("espeak-ng ") + voice.flags + " -w " + quoted(wav) + " " + quoted(voice.text);
        ASSERT_EQ(std::system(speak.c_str()), 0) << "espeak-ng failed: " << speak << " (scripts/setup.sh installs it)";
        const auto reference = runtime::referencePython() + " " + quoted(script) + " " + quoted(wav) + " " + quoted(out);
        ASSERT_EQ(std::system(reference.c_str()), 0) << reference;
        auto golden = loading::loadTensors(out);
        ASSERT_TRUE(golden.ok()) << golden.error().message;
        const auto& samples = golden->at("samples");
        const auto& expected = golden->at("log_mel");
        const auto ours = logMel.compute(samples);
        ASSERT_EQ(ours.sizes(), expected.sizes());
        EXPECT_EQ(ours.size(0), samples.size(0) / 160 + 1);
        EXPECT_EQ(ours.size(1), 80);
        const double difference = (ours - expected).abs().max().item<double>();
        EXPECT_LE(difference, 1e-4);
        std::printf("[ golden   ] log-mel %s: %lld frames, largest difference %.3g\n", voice.flags, static_cast<long long>(ours.size(0)),
                    difference);
    }
}

TEST(LogMel, compute_givesNoFrames_forTooFewSamplesToPad) {
    const features::LogMelSpectrogram logMel;
    EXPECT_EQ(logMel.compute(at::zeros({150})).size(0), 0);
    EXPECT_EQ(logMel.compute(at::zeros({201})).sizes(), (at::IntArrayRef{2, 80}));
    // Silence is the floor, not -inf.
    EXPECT_TRUE(logMel.compute(at::zeros({1600})).eq(static_cast<float>(std::log(1e-10))).all().item<bool>());
}

TEST(LogMel, filterbank_hasTriangularColumnsUpTo8kHz) {
    const features::LogMelSpectrogram logMel;
    const auto& fb = logMel.filterbank();
    ASSERT_EQ(fb.sizes(), (at::IntArrayRef{201, 80}));
    EXPECT_TRUE(fb.ge(0).all().item<bool>());
    EXPECT_TRUE(std::get<0>(fb.max(0)).gt(0).all().item<bool>());  // no empty band
    EXPECT_LE(fb.max().item<double>(), 1.0 + 1e-6);
}

}  // namespace
}  // namespace egmf
