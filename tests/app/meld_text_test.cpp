// The bundled meld-text checkpoint on MELD's own test split (2,610 utterances, text only): `egmf
// analyze` picks it for MELD's CSVs when no checkpoint is named and says so, and its weighted F1
// clears the floor and both yardsticks scikit-learn computes in the same run on the same CSVs
// (tests/golden/meld_text_yardsticks.py: the majority class, TF-IDF 1-2 grams + logistic regression).
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "cli_run.h"

namespace egmf {
namespace {

using nlohmann::json;

TEST(MeldText, beatsTheScikitLearnYardsticks_onMeldTest_andIsPickedForMeld) {
    const auto meld = test::sourceDir() / "tests/data/meld";
    test::TempDir dir;
    const auto results = dir.path() / "results.jsonl";
    const auto run = test::egmf("analyze --dataset '" + meld.string() + "' --split test --threads 2 --out '" + results.string() + "'");
    ASSERT_EQ(run.code, 0) << run.output;
    EXPECT_NE(run.output.find("the bundled meld-text checkpoint"), std::string::npos) << "not said:\n" << run.output.substr(0, 2000);

    // "gold,prediction" per utterance, scored by the same script that computes the yardsticks.
    const auto predictions = dir.path() / "predictions.csv";
    std::ofstream out(predictions);
    std::ifstream in(results);
    int utterances = 0;
    for (std::string line; std::getline(in, line);) {
        const auto row = json::parse(line);
        out << row["gold"].get<std::string>() << ',' << row["prediction"].get<std::string>() << '\n';
        ++utterances;
    }
    out.close();
    ASSERT_EQ(utterances, 2610);
    const auto script = test::sourceDir() / "tests/golden/meld_text_yardsticks.py";
    const auto command = "/usr/bin/python3 '" + script.string() + "' '" + meld.string() + "' '" + predictions.string() + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string text;
    char buffer[4096];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
    ASSERT_EQ(::pclose(pipe), 0) << command << " (scripts/setup.sh installs python3-sklearn)";
    const auto scores = json::parse(text);
    const double ours = scores["ours"]["weighted_f1"], tfidf = scores["tfidf_lr"]["weighted_f1"];
    const double majority = scores["majority"]["weighted_f1"];
    std::printf("[ meld     ] test weighted F1: meld-text %.3f (accuracy %.3f), TF-IDF + LR %.3f, majority %.3f\n", ours,
                scores["ours"]["accuracy"].get<double>(), tfidf, majority);
    std::printf("[ meld     ] per-class F1: %s\n", scores["ours"]["per_class_f1"].dump().c_str());
    EXPECT_NEAR(majority, 0.313, 0.001) << "the yardstick moved: the CSVs or scikit-learn changed";
    EXPECT_GE(ours, 0.47);
    EXPECT_GT(ours, tfidf);
}

}  // namespace
}  // namespace egmf
