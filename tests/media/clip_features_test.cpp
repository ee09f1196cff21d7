// Clip features end to end: a clip of the astronaut's face (python3-imageio) with espeak-ng speech,
// made by the ffmpeg CLI, decoded and turned into log-mel + face features, which the analyzer then
// runs on. Each piece is checked against the part it is made of (log-mel of the decoded audio,
// expression network on the crops); the parts themselves have golden tests of their own.
#include <sys/wait.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/app/clip_features.h"
#include "egmf/app/media_file.h"
#include "egmf/checkpoint.h"
#include "features/face_expression.h"
#include "features/log_mel.h"

namespace egmf::features {
namespace {

namespace fs = std::filesystem;
const char* kAstronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

class ClipFeaturesTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir();
        const auto dir = s_dir->path();
        const auto speech = (dir / "speech.wav").string();
        ASSERT_EQ(std::system(("espeak-ng -v en -s 150 -w '" + speech + "' 'Oh my God, you actually did it!'").c_str()), 0)
            << "espeak-ng is missing (scripts/setup.sh)";
        const auto make = "ffmpeg -hide_banner -loglevel error -y -loop 1 -framerate 25 -i '" + std::string(kAstronaut) + "' -i '" +
                          speech + "' -shortest -vf scale=640:640,format=yuv420p -c:v libx264 -c:a aac '" + (dir / "face.mp4").string() +
                          "'";
        ASSERT_EQ(std::system(make.c_str()), 0) << make;
    }
    static void TearDownTestSuite() { delete s_dir; }
    static test::TempDir* s_dir;
};
test::TempDir* ClipFeaturesTest::s_dir = nullptr;

TEST_F(ClipFeaturesTest, extract_givesTheLogMelOfTheAudio_andAFaceWithItsEmbeddingAtEachVisualFrame) {
    auto extractor = ClipFeatureExtractor::create();
    ASSERT_TRUE(extractor.ok()) << extractor.error().message;
    const auto clip = s_dir->path() / "face.mp4";
    auto features = extractor->extract(clip);
    ASSERT_TRUE(features.ok()) << features.error().message;

    media::DecodeRequest audioOnly;
    auto decoded = media::decodeClip(clip, audioOnly);
    ASSERT_TRUE(decoded.ok());
    const auto& samples = decoded->audio.samples;
    const auto mel = LogMelSpectrogram().compute(at::tensor(samples));
    ASSERT_EQ(features->audio.frames, mel.size(0));
    EXPECT_EQ(features->audio.frames, static_cast<std::int64_t>(samples.size() / 160 + 1));
    EXPECT_EQ(features->audio.dim, 80);
    EXPECT_TRUE(at::equal(at::tensor(features->audio.values).reshape({mel.size(0), 80}), mel));

    const auto expectedSamples = static_cast<std::int64_t>(std::ceil(features->info.durationSec * 4.0 - 1e-9));
    EXPECT_EQ(features->visual.frames, expectedSamples);
    EXPECT_EQ(features->visual.dim, 256);
    ASSERT_EQ(features->faces.size(), static_cast<std::size_t>(features->visual.frames));
    auto net = FaceExpressionNet::load();
    ASSERT_TRUE(net.ok());
    for (std::size_t i = 0; i < features->faces.size(); ++i) {
        const auto& face = features->faces[i];
        EXPECT_DOUBLE_EQ(face.timeSec, 0.25 * static_cast<double>(i));
        EXPECT_TRUE(face.crop.faceFound) << "the astronaut's face at " << face.timeSec << " s";
        // The network on this crop alone gives the features and probabilities reported.
        std::vector<float> crop(face.crop.rgb.begin(), face.crop.rgb.end());
        const auto alone = net->forward(at::tensor(crop).reshape({1, 112, 112, 3}));
        const auto row = at::tensor(std::vector<float>(features->visual.values.begin() + 256 * static_cast<long>(i),
                                                       features->visual.values.begin() + 256 * static_cast<long>(i + 1)));
        EXPECT_LE((alone.embedding[0] - row).abs().max().item<double>(), 1e-5);
        EXPECT_EQ(std::max_element(face.probabilities.begin(), face.probabilities.end()) - face.probabilities.begin(), 1) << "happy";
    }
    std::printf(
        "[ features ] %.2f s clip: %lld log-mel frames, %lld faces; decode %.1f ms, audio %.1f ms, crops %.1f ms, network %.1f ms\n",
        features->info.durationSec, static_cast<long long>(features->audio.frames), static_cast<long long>(features->visual.frames),
        features->decodeMs, features->audioFeaturesMs, features->cropMs, features->networkMs);
}

TEST_F(ClipFeaturesTest, prosodyAndRanges_andBadClips) {
    ClipFeatureOptions options;
    options.prosody = true;
    auto extractor = ClipFeatureExtractor::create(options);
    ASSERT_TRUE(extractor.ok());
    auto range = extractor->extract(s_dir->path() / "face.mp4", 0.5, 1.5);
    ASSERT_TRUE(range.ok()) << range.error().message;
    EXPECT_EQ(range->audio.dim, 82);
    EXPECT_EQ(range->audio.frames, 16000 / 160 + 1);  // 1 s of audio
    EXPECT_EQ(range->visual.frames, 4);
    EXPECT_DOUBLE_EQ(range->faces.front().timeSec, 0.5);

    auto audioOnly = extractor->extract(s_dir->path() / "speech.wav");
    ASSERT_TRUE(audioOnly.ok()) << audioOnly.error().message;
    EXPECT_TRUE(audioOnly->visual.empty());
    EXPECT_FALSE(audioOnly->warnings.empty());

    std::ofstream(s_dir->path() / "garbage.mp4") << std::string(3000, 'x');
    auto garbage = extractor->extract(s_dir->path() / "garbage.mp4");
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().message.find("garbage.mp4"), std::string::npos);
}

TEST_F(ClipFeaturesTest, fill_feedsTheAnalyzer_fromTheClipAlone) {
    auto manifest = test::tinyManifest();
    manifest.audioFeatureDim = 80;
    manifest.visualFeatureDim = 256;
    test::TempDir checkpoint;
    ASSERT_TRUE(createRandomCheckpoint(checkpoint.path(), manifest, 3, RandomInit::Perturbed).ok());
    auto analyzer = loadNativeCheckpoint(checkpoint.path());
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;

    auto extractor = ClipFeatureExtractor::create(ClipFeatureExtractor::optionsFor(manifest));
    ASSERT_TRUE(extractor.ok());
    Dialogue dialogue{"d0", {}, {}};
    Utterance utterance;
    utterance.id = "dia0_utt0";
    utterance.text = "Oh my God, you actually did it!";
    utterance.clipPath = (s_dir->path() / "face.mp4").string();
    auto warnings = extractor->fill(utterance, manifest);
    ASSERT_TRUE(warnings.ok()) << warnings.error().message;
    EXPECT_GT(utterance.audio.frames, 100);
    EXPECT_GT(utterance.visual.frames, 4);
    dialogue.utterances.push_back(utterance);

    std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(dialogue, {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& analysed = result->utterances.at(0);
    EXPECT_TRUE(analysed.error.empty()) << analysed.error;
    int audio = 0, visual = 0;
    for (const auto& position : analysed.positions) {
        audio += position.modality == Modality::Audio;
        visual += position.modality == Modality::Visual;
    }
    EXPECT_GT(audio, 0);
    EXPECT_EQ(visual, utterance.visual.frames);

    auto wrong = manifest;
    wrong.visualFeatureDim = 128;
    EXPECT_FALSE(extractor->fill(utterance, wrong).ok());
}

TEST_F(ClipFeaturesTest, featuresCommand_writesEverythingForInspection) {
    const auto out = s_dir->path() / "inspect";
    const auto command = test::binaryDir().string() + "/bin/egmf features '" + (s_dir->path() / "face.mp4").string() + "' --out '" +
                         out.string() + "' --end 1 > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    for (const char* file :
         {"features.safetensors", "expressions.csv", "log_mel.png", "summary.json", "faces/000_0.00s.png", "faces/003_0.75s.png"}) {
        EXPECT_TRUE(fs::exists(out / file)) << file;
    }
    EXPECT_FALSE(fs::exists(out / "faces/004_1.00s.png")) << "--end 1 stops before 1 s";
    const auto missing =
        test::binaryDir().string() + "/bin/egmf features /nonexistent/clip.mp4 --out '" + (s_dir->path() / "x").string() + "' 2>/dev/null";
    EXPECT_EQ(WEXITSTATUS(std::system(missing.c_str())), 2);
}

}  // namespace
}  // namespace egmf::features
