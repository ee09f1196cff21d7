// The native Analyzer end to end: value results with consistent shapes and times, any non-empty
// subset of modalities predicts, a bad utterance does not stop the dialogue, cancellation.
#include <cmath>
#include <limits>
#include <numeric>

#include <gtest/gtest.h>

#include "egmf/checkpoint.h"
#include "test_support.h"

namespace egmf {
namespace {

class AnalyzerTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_manifest = test::tinyManifest();
        ASSERT_TRUE(createRandomCheckpoint(m_dir.path(), m_manifest, 9, RandomInit::Perturbed).ok());
        auto loaded = loadNativeCheckpoint(m_dir.path());
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
        m_analyzer = std::move(*loaded);
    }
    test::TempDir m_dir;
    Manifest m_manifest;
    std::unique_ptr<Analyzer> m_analyzer;
    std::atomic<bool> m_cancel{false};
};

TEST_F(AnalyzerTest, analyzeDialogue_givesConsistentTraces_forEveryModalitySubset) {
    const std::vector<std::string> missing{"", "a", "v", "t", "av", "at", "vt"};
    auto dialogue = test::randomDialogue(m_manifest, missing, 4);
    std::vector<int> progress;
    AnalyzeOptions options;
    options.progress = [&](int done, int total) {
        EXPECT_EQ(total, static_cast<int>(missing.size()));
        progress.push_back(done);
    };
    auto result = m_analyzer->analyzeDialogue(dialogue, options, m_cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->utterances.size(), missing.size());
    EXPECT_EQ(progress, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
    for (std::size_t i = 0; i < missing.size(); ++i) {
        const auto& u = result->utterances[i];
        SCOPED_TRACE("utterance " + std::to_string(i) + " missing '" + missing[i] + "'");
        ASSERT_TRUE(u.error.empty()) << u.error;
        const auto total = u.textLength + u.audioLength + u.visualLength;
        EXPECT_GT(total, 0);
        EXPECT_EQ(u.positions.size(), static_cast<std::size_t>(total));
        EXPECT_EQ(u.tokenIds.size(), static_cast<std::size_t>(u.textLength));
        EXPECT_EQ(u.tokenPieces.size(), u.tokenIds.size());
        EXPECT_EQ(u.gates.gates.shape, (std::vector<std::int64_t>{total, 3}));
        EXPECT_EQ(u.gates.alpha.size(), static_cast<std::size_t>(total));
        EXPECT_EQ(u.attention.textToAv.shape,
                  (std::vector<std::int64_t>{m_manifest.fusionHeads, u.textLength, u.audioLength + u.visualLength}));
        for (float v : u.attention.avToText.values) {
            EXPECT_FALSE(std::isnan(v));
        }
        for (std::int64_t j = 0; j < total; ++j) {
            const float* row = &u.gates.gates.values[static_cast<std::size_t>(3 * j)];
            EXPECT_NEAR(row[0] + row[1] + row[2], 1.0f, 1e-5f);
        }
        ASSERT_EQ(u.probabilities.size(), m_manifest.labels.size());
        EXPECT_NEAR(std::accumulate(u.probabilities.begin(), u.probabilities.end(), 0.0), 1.0, 1e-9);
        EXPECT_NE(std::find(m_manifest.labels.begin(), m_manifest.labels.end(), u.scoredPrediction), m_manifest.labels.end());
        // A random model rarely says a label: the prediction is one or "unparsable", never empty.
        EXPECT_FALSE(u.prediction.empty());
        EXPECT_GT(u.timings.totalMs(), 0.0);
        // Positions are text, then audio, then visual; times stay within the clip.
        for (std::size_t j = 1; j < u.positions.size(); ++j) {
            EXPECT_GE(static_cast<int>(u.positions[j].modality), static_cast<int>(u.positions[j - 1].modality));
        }
    }
}

TEST_F(AnalyzerTest, analyzeDialogue_reportsAnEmptyUtterance_andAnalysesTheRest) {
    auto dialogue = test::randomDialogue(m_manifest, {"", "avt", ""}, 5);
    auto result = m_analyzer->analyzeDialogue(dialogue, {}, m_cancel);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->utterances[0].error.empty());
    EXPECT_NE(result->utterances[1].error.find("nothing to analyse"), std::string::npos);
    EXPECT_NE(result->utterances[1].error.find("dia0_utt1"), std::string::npos);
    EXPECT_EQ(result->utterances[1].prediction, "unparsable");
    EXPECT_TRUE(result->utterances[2].error.empty());
}

TEST_F(AnalyzerTest, analyzeDialogue_reportsWrongFeatureWidth_namingTheClip) {
    auto dialogue = test::randomDialogue(m_manifest, {"", ""}, 6);
    dialogue.utterances[1].clipPath = "clips/dia0_utt1.mp4";
    dialogue.utterances[1].audio.dim = 5;
    auto result = m_analyzer->analyzeDialogue(dialogue, {}, m_cancel);
    ASSERT_TRUE(result.ok());
    EXPECT_NE(result->utterances[1].error.find("clips/dia0_utt1.mp4"), std::string::npos);
    EXPECT_NE(result->utterances[1].error.find("expects 12"), std::string::npos);
}

TEST_F(AnalyzerTest, analyzeDialogue_reportsNonFiniteFeatures) {
    auto dialogue = test::randomDialogue(m_manifest, {"", ""}, 10);
    dialogue.utterances[0].visual.values[3] = std::numeric_limits<float>::quiet_NaN();
    auto result = m_analyzer->analyzeDialogue(dialogue, {}, m_cancel);
    ASSERT_TRUE(result.ok());
    EXPECT_NE(result->utterances[0].error.find("NaN"), std::string::npos);
    EXPECT_TRUE(result->utterances[1].error.empty());
}

TEST_F(AnalyzerTest, ablation_dropsModalitiesAndExperts) {
    auto dialogue = test::randomDialogue(m_manifest, {"", ""}, 7);
    AnalyzeOptions options;
    options.disabledModalities[static_cast<int>(Modality::Audio)] = true;
    options.disabledExperts[0] = true;
    auto result = m_analyzer->analyzeDialogue(dialogue, options, m_cancel);
    ASSERT_TRUE(result.ok());
    for (const auto& u : result->utterances) {
        EXPECT_EQ(u.audioLength, 0);
        EXPECT_GT(u.visualLength, 0);
        for (std::size_t j = 0; j < u.gates.alpha.size(); ++j) {
            EXPECT_EQ(u.gates.gates.values[3 * j], 0.0f);
        }
    }
}

TEST_F(AnalyzerTest, analyzeDialogue_stopsWithCancelled_whenCancelIsSet) {
    auto dialogue = test::randomDialogue(m_manifest, {"", "", "", ""}, 8);
    AnalyzeOptions options;
    options.progress = [&](int done, int) {
        if (done == 2) {
            m_cancel = true;
        }
    };
    auto result = m_analyzer->analyzeDialogue(dialogue, options, m_cancel);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Cancelled);
}

TEST_F(AnalyzerTest, textPositions_spreadEvenlyOverTheClip) {
    auto dialogue = test::randomDialogue(m_manifest, {"av"}, 9);
    dialogue.utterances[0].durationSec = 2.0;
    auto result = m_analyzer->analyzeDialogue(dialogue, {}, m_cancel);
    ASSERT_TRUE(result.ok());
    const auto& u = result->utterances[0];
    ASSERT_EQ(u.positions.size(), static_cast<std::size_t>(u.textLength));
    EXPECT_NEAR(u.positions.front().timeSec, 1.0 / static_cast<double>(u.textLength), 1e-9);
    EXPECT_LT(u.positions.back().timeSec, 2.0);
}

TEST(RegressionAnalyzer, prediction_isANumberOrUnparsable_neverZeroByDefault) {
    test::TempDir dir;
    auto manifest = test::tinyManifest();
    manifest.task = Task::Regression;
    manifest.labels.clear();
    manifest.prompt.templateText = defaultRegressionTemplate();
    ASSERT_TRUE(createRandomCheckpoint(dir.path(), manifest, 12, RandomInit::Perturbed).ok());
    auto analyzer = loadNativeCheckpoint(dir.path());
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(test::randomDialogue(manifest, {"", "v"}, 1), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    for (const auto& u : result->utterances) {
        ASSERT_TRUE(u.error.empty()) << u.error;
        EXPECT_TRUE(u.labels.empty());
        EXPECT_TRUE(u.probabilities.empty());
        // A random model's bytes are not a number: "unparsable", and no score invented.
        if (u.predictedScore) {
            EXPECT_NE(u.prediction, "unparsable");
        } else {
            EXPECT_EQ(u.prediction, "unparsable");
        }
    }
}

}  // namespace
}  // namespace egmf
