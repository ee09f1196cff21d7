#pragma once
// The metrics the ERC and MSA papers report (../shared/DATASETS.md), torch-free. Definitions follow
// scikit-learn, the reference the tests compare against (its own process, within 1e-9):
//   ERC: accuracy, per-class precision/recall/F1 (0 where undefined, sklearn's zero_division=0),
//        weighted F1 (support-weighted), macro F1, the confusion matrix, Cohen's kappa;
//   MSA (MOSI/MOSEI): Acc-2 as "negative < 0 vs non-negative" and as "negative vs positive, gold
//        zeros removed", weighted F1 of each, Acc-7 / Acc-5 (clip to +-3 / +-2, round half to even),
//        MAE, Pearson;
//   MSA (SIMS, SIMS v2): clip to [-1, 1], Acc-2 (<= 0 vs > 0), Acc-3 and Acc-5 on (lo, hi] bins,
//        weighted F1 on the Acc-2 classes, "Acc-2 weak" over golds in [-0.4, 0.4], MAE, Pearson.
// A value that is undefined (Pearson of a constant, kappa of two constant raters, an empty subset)
// is std::nullopt, written as null in JSON, never NaN.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace egmf::eval {

struct ClassScores {
    std::string label;
    double precision = 0, recall = 0, f1 = 0;
    std::int64_t support = 0;  ///< gold count
};

struct ClassificationReport {
    std::vector<std::string> labels;  ///< row/column order of the confusion matrix
    std::int64_t count = 0;
    double accuracy = 0;
    double weightedF1 = 0, macroF1 = 0;
    std::vector<ClassScores> perClass;
    std::vector<std::vector<std::int64_t>> confusion;  ///< [gold][predicted]
    std::optional<double> kappa;                       ///< Cohen's kappa of gold vs predicted
};

/// `labels` fixes the classes and their order; empty: every label seen, sorted (as sklearn).
/// Gold and predicted must have the same length.
ClassificationReport classify(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                              std::vector<std::string> labels = {});

/// (gold, predicted) pairs with how often each occurs.
using LabelPairCounts = std::map<std::pair<std::string, std::string>, std::int64_t>;
/// classify() over counted pairs: what keeps a running report (the Studio's metrics) in step with
/// each new result without going over all of them again.
ClassificationReport classifyCounts(const LabelPairCounts& pairs, std::vector<std::string> labels = {});

/// Cohen's kappa between two annotators (or a model and gold); nullopt when undefined.
std::optional<double> cohensKappa(const std::vector<std::string>& a, const std::vector<std::string>& b);

struct RegressionReport {
    std::int64_t count = 0;
    double mae = 0;
    std::optional<double> pearson;
    // MOSI / MOSEI
    std::optional<double> acc2NonNegative, f1NonNegative;  ///< < 0 vs >= 0
    std::optional<double> acc2NonZero, f1NonZero;          ///< < 0 vs > 0, gold zeros removed
    std::optional<double> acc7, acc5;
    // SIMS
    std::optional<double> acc2, f1, acc3, acc2Weak;  ///< acc5 above is SIMS's when sims
};

enum class MsaScale { Mosi, Sims };

RegressionReport regress(const std::vector<double>& gold, const std::vector<double>& predicted, MsaScale scale);

}  // namespace egmf::eval
