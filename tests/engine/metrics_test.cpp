// The metrics against scikit-learn and numpy (tests/golden/metrics_reference.py, its own process)
// within 1e-9, on seeded random data with the awkward cases: a class no prediction uses, a class
// only predictions use, half-way values for Acc-7 / Acc-5, gold zeros, constant inputs (Pearson
// and kappa undefined), bin edges of the SIMS scale.
#include "egmf/app/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "egmf/paths.h"
#include "test_support.h"

namespace egmf::eval {
namespace {

namespace fs = std::filesystem;
using Labels = std::vector<std::string>;
using Values = std::vector<double>;

void expectNear(const std::optional<double>& ours, const nlohmann::json& reference, const std::string& what) {
    if (reference.is_null()) {
        EXPECT_FALSE(ours.has_value()) << what << ": the reference says undefined, ours " << ours.value_or(0);
        return;
    }
    ASSERT_TRUE(ours.has_value()) << what << ": ours undefined, the reference " << reference.get<double>();
    EXPECT_NEAR(*ours, reference.get<double>(), 1e-9) << what;
}

TEST(Metrics, equalScikitLearn_onRandomAndAwkwardData) {
    std::mt19937 rng(2026);
    const Labels emotions = {"neutral", "joy", "sadness", "anger", "surprise", "fear", "disgust"};
    std::vector<std::pair<Labels, Labels>> classCases;
    for (int c = 0; c < 6; ++c) {
        Labels gold, pred;
        const int n = 20 + static_cast<int>(rng() % 300);
        for (int i = 0; i < n; ++i) {
            gold.push_back(emotions[rng() % (c == 1 ? 6 : 7)]);  // case 1: "disgust" only predicted
            // Mostly right, sometimes wrong; case 2 never predicts "fear".
            std::string p = rng() % 3 ? gold.back() : emotions[rng() % 7];
            if (c == 2 && p == "fear") p = "neutral";
            pred.push_back(p);
        }
        classCases.emplace_back(gold, pred);
    }
    classCases.push_back({Labels(10, "joy"), Labels(10, "joy")});  // kappa undefined
    classCases.push_back({{"a", "b", "a"}, {"c", "c", "c"}});      // nothing right

    auto randomScores = [&](double limit, int n, bool halves) {
        Values gold, pred;
        std::uniform_real_distribution<double> u(-limit - 0.5, limit + 0.5);
        for (int i = 0; i < n; ++i) {
            double g = u(rng), p = g + std::normal_distribution<double>(0, 0.6)(rng);
            if (halves && i % 4 == 0) g = std::round(g * 2) / 2;  // x.5 values: round half to even
            if (halves && i % 5 == 0) p = std::round(p * 2) / 2;
            if (i % 7 == 0) g = 0.0;  // gold zeros
            gold.push_back(g);
            pred.push_back(p);
        }
        return std::pair(gold, pred);
    };
    std::vector<std::pair<Values, Values>> mosiCases, simsCases;
    for (int c = 0; c < 4; ++c) mosiCases.push_back(randomScores(3.0, 50 + c * 90, true));
    mosiCases.push_back({Values(12, 1.0), Values{-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.5, 0, 0, 1, 2}});  // constant gold
    mosiCases.push_back({Values{0, 0, 0}, Values{1, -1, 0}});  // all gold zero: no non-zero Acc-2
    for (int c = 0; c < 4; ++c) simsCases.push_back(randomScores(1.0, 50 + c * 90, false));
    simsCases.push_back({Values{-0.7, -0.1, 0.1, 0.7, 1.0, -1.0, 0.0, 0.4, -0.4}, Values{-0.69, -0.11, 0.1, 0.71, 2, -3, 0, 0.39, -0.41}});
    simsCases.push_back({Values{0.9, -0.9}, Values{0.5, 0.5}});  // no weak golds, constant prediction

    std::string pattern = (fs::temp_directory_path() / "egmf-metrics-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const fs::path dir = pattern;
    {
        std::ofstream out(dir / "classify.csv");
        for (const auto& [g, p] : classCases) {
            for (std::size_t i = 0; i < g.size(); ++i) out << g[i] << ',' << p[i] << '\n';
            out << '\n';
        }
        auto writeScores = [](const fs::path& file, const std::vector<std::pair<Values, Values>>& cases) {
            std::ofstream scores(file);
            scores.precision(17);
            for (const auto& [g, p] : cases) {
                for (std::size_t i = 0; i < g.size(); ++i) scores << g[i] << ',' << p[i] << '\n';
                scores << '\n';
            }
        };
        writeScores(dir / "mosi.csv", mosiCases);
        writeScores(dir / "sims.csv", simsCases);
    }
    // Debian's Python (with python3-sklearn); $EGMF_PYTHON overrides it (the GPU machine's venv).
    const char* python = std::getenv("EGMF_PYTHON");
    const auto command = std::string(python && *python ? python : "/usr/bin/python3") + " '" + test::sourceDir().string() +
                         "/tests/golden/metrics_reference.py' '" + (dir / "classify.csv").string() + "' '" + (dir / "mosi.csv").string() +
                         "' '" + (dir / "sims.csv").string() + "' '" + (dir / "reference.json").string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command << " (needs Debian's python3-sklearn)";
    std::ifstream in(dir / "reference.json");
    const auto reference = nlohmann::json::parse(in);
    removeTree(dir);

    for (std::size_t c = 0; c < classCases.size(); ++c) {
        SCOPED_TRACE("classification case " + std::to_string(c));
        const auto& expected = reference["classify"][c];
        const auto ours = classify(classCases[c].first, classCases[c].second);
        ASSERT_EQ(ours.labels, expected["labels"].get<Labels>());
        EXPECT_NEAR(ours.accuracy, expected["accuracy"].get<double>(), 1e-9);
        EXPECT_NEAR(ours.weightedF1, expected["weighted_f1"].get<double>(), 1e-9);
        EXPECT_NEAR(ours.macroF1, expected["macro_f1"].get<double>(), 1e-9);
        for (std::size_t k = 0; k < ours.labels.size(); ++k) {
            EXPECT_NEAR(ours.perClass[k].precision, expected["precision"][k].get<double>(), 1e-9);
            EXPECT_NEAR(ours.perClass[k].recall, expected["recall"][k].get<double>(), 1e-9);
            EXPECT_NEAR(ours.perClass[k].f1, expected["f1"][k].get<double>(), 1e-9);
            EXPECT_EQ(ours.perClass[k].support, expected["support"][k].get<std::int64_t>());
        }
        EXPECT_EQ(ours.confusion, expected["confusion"].get<std::vector<std::vector<std::int64_t>>>());
        expectNear(ours.kappa, expected["kappa"], "kappa");
    }
    for (std::size_t c = 0; c < mosiCases.size(); ++c) {
        SCOPED_TRACE("MOSI case " + std::to_string(c));
        const auto& e = reference["mosi"][c];
        const auto ours = regress(mosiCases[c].first, mosiCases[c].second, MsaScale::Mosi);
        EXPECT_NEAR(ours.mae, e["mae"].get<double>(), 1e-9);
        expectNear(ours.pearson, e["pearson"], "pearson");
        expectNear(ours.acc7, e["acc7"], "acc7");
        expectNear(ours.acc5, e["acc5"], "acc5");
        expectNear(ours.acc2NonNegative, e["acc2_nonnegative"], "acc2 non-negative");
        expectNear(ours.f1NonNegative, e["f1_nonnegative"], "f1 non-negative");
        expectNear(ours.acc2NonZero, e["acc2_nonzero"], "acc2 non-zero");
        expectNear(ours.f1NonZero, e["f1_nonzero"], "f1 non-zero");
    }
    for (std::size_t c = 0; c < simsCases.size(); ++c) {
        SCOPED_TRACE("SIMS case " + std::to_string(c));
        const auto& e = reference["sims"][c];
        const auto ours = regress(simsCases[c].first, simsCases[c].second, MsaScale::Sims);
        EXPECT_NEAR(ours.mae, e["mae"].get<double>(), 1e-9);
        expectNear(ours.pearson, e["pearson"], "pearson");
        expectNear(ours.acc2, e["acc2"], "acc2");
        expectNear(ours.f1, e["f1"], "f1");
        expectNear(ours.acc3, e["acc3"], "acc3");
        expectNear(ours.acc5, e["acc5"], "acc5");
        expectNear(ours.acc2Weak, e["acc2_weak"], "acc2 weak");
    }
    std::printf("[ metrics  ] %zu classification, %zu MOSI and %zu SIMS cases equal scikit-learn/numpy within 1e-9\n", classCases.size(),
                mosiCases.size(), simsCases.size());
}

TEST(Metrics, kappaBetweenAnnotators_isSymmetric_andOneForAgreement) {
    const Labels a = {"x", "y", "y", "z", "x"}, b = {"x", "y", "z", "z", "y"};
    EXPECT_NEAR(*cohensKappa(a, b), *cohensKappa(b, a), 1e-12);
    EXPECT_NEAR(*cohensKappa(a, a), 1.0, 1e-12);
    EXPECT_FALSE(cohensKappa({}, {}).has_value());
}

}  // namespace
}  // namespace egmf::eval
