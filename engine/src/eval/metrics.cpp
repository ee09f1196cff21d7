#include "egmf/app/metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <set>

namespace egmf::eval {
namespace {

double safeDivide(double a, double b) {
    return b == 0 ? 0.0 : a / b;
}

/// Weighted F1 of two boolean labelings (sklearn's f1_score(average="weighted") on {0, 1}).
double weightedF1(const std::vector<int>& gold, const std::vector<int>& predicted) {
    std::vector<std::string> g, p;
    for (int x : gold) g.push_back(std::to_string(x));
    for (int x : predicted) p.push_back(std::to_string(x));
    return classify(g, p).weightedF1;
}

double accuracy(const std::vector<int>& gold, const std::vector<int>& predicted) {
    std::int64_t same = 0;
    for (std::size_t i = 0; i < gold.size(); ++i) same += gold[i] == predicted[i];
    return safeDivide(static_cast<double>(same), static_cast<double>(gold.size()));
}

/// numpy.round: halves to even.
double roundHalfEven(double x) {
    return std::nearbyint(x);
}

/// The bin of x among edges e0 < e1 < ...: i with e_i < x <= e_{i+1} (MMSA's SIMS code).
int bin(double x, const std::vector<double>& edges) {
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
        if (x > edges[i] && x <= edges[i + 1]) return static_cast<int>(i);
    }
    return -1;
}

std::optional<double> pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const auto n = static_cast<double>(a.size());
    if (a.size() < 2) return std::nullopt;
    double meanA = 0, meanB = 0;
    for (std::size_t i = 0; i < a.size(); ++i) meanA += a[i], meanB += b[i];
    meanA /= n, meanB /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - meanA) * (b[i] - meanB);
        saa += (a[i] - meanA) * (a[i] - meanA);
        sbb += (b[i] - meanB) * (b[i] - meanB);
    }
    if (saa == 0 || sbb == 0) return std::nullopt;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

}  // namespace

ClassificationReport classify(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                              std::vector<std::string> labels) {
    assert(gold.size() == predicted.size());
    LabelPairCounts pairs;
    for (std::size_t i = 0; i < gold.size(); ++i) ++pairs[{gold[i], predicted[i]}];
    return classifyCounts(pairs, std::move(labels));
}

ClassificationReport classifyCounts(const LabelPairCounts& pairs, std::vector<std::string> labels) {
    ClassificationReport report;
    if (labels.empty()) {
        std::set<std::string> seen;
        for (const auto& [pair, count] : pairs) seen.insert(pair.first), seen.insert(pair.second);
        labels.assign(seen.begin(), seen.end());
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < labels.size(); ++i) index.emplace(labels[i], i);
    const std::size_t k = labels.size();
    report.confusion.assign(k, std::vector<std::int64_t>(k, 0));
    // Counted over all items: labels outside `labels` still count against precision and recall,
    // as in sklearn.
    std::map<std::string, std::int64_t> goldCount, predictedCount;
    std::int64_t correct = 0, total = 0;
    for (const auto& [pair, count] : pairs) {
        const auto& [g, p] = pair;
        total += count;
        if (g == p) correct += count;
        goldCount[g] += count;
        predictedCount[p] += count;
        const auto gi = index.find(g), pi = index.find(p);
        if (gi != index.end() && pi != index.end()) report.confusion[gi->second][pi->second] += count;
    }
    report.count = total;
    report.accuracy = safeDivide(static_cast<double>(correct), static_cast<double>(total));
    double totalSupport = 0;
    for (std::size_t c = 0; c < k; ++c) {
        const std::int64_t tp = report.confusion[c][c];
        const auto support = goldCount[labels[c]];
        ClassScores scores{labels[c], safeDivide(static_cast<double>(tp), static_cast<double>(predictedCount[labels[c]])),
                           safeDivide(static_cast<double>(tp), static_cast<double>(support)), 0.0, support};
        scores.f1 = scores.precision + scores.recall == 0 ? 0.0 : 2 * scores.precision * scores.recall / (scores.precision + scores.recall);
        report.weightedF1 += scores.f1 * static_cast<double>(support);
        report.macroF1 += scores.f1;
        totalSupport += static_cast<double>(support);
        report.perClass.push_back(scores);
    }
    report.weightedF1 = safeDivide(report.weightedF1, totalSupport);
    report.macroF1 = safeDivide(report.macroF1, static_cast<double>(k));
    report.labels = std::move(labels);
    // Cohen's kappa (sklearn: 1 - sum(w * observed) / sum(w * expected) with w = 1 - identity).
    if (total > 0) {
        const double n = static_cast<double>(total);
        double expectedAgree = 0;
        for (const auto& [label, count] : goldCount) {
            const auto other = predictedCount.find(label);
            if (other != predictedCount.end()) expectedAgree += static_cast<double>(count) * static_cast<double>(other->second) / n;
        }
        const double expectedDisagree = n - expectedAgree;
        if (expectedDisagree != 0) report.kappa = 1.0 - (n - static_cast<double>(correct)) / expectedDisagree;
    }
    return report;
}

std::optional<double> cohensKappa(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return classify(a, b).kappa;
}

RegressionReport regress(const std::vector<double>& gold, const std::vector<double>& predicted, MsaScale scale) {
    assert(gold.size() == predicted.size());
    RegressionReport report;
    report.count = static_cast<std::int64_t>(gold.size());
    if (gold.empty()) return report;
    const double limit = scale == MsaScale::Sims ? 1.0 : 3.0;
    std::vector<double> g, p;
    for (std::size_t i = 0; i < gold.size(); ++i) {
        g.push_back(scale == MsaScale::Sims ? std::clamp(gold[i], -limit, limit) : gold[i]);
        p.push_back(scale == MsaScale::Sims ? std::clamp(predicted[i], -limit, limit) : predicted[i]);
    }
    double absolute = 0;
    for (std::size_t i = 0; i < g.size(); ++i) absolute += std::abs(p[i] - g[i]);
    report.mae = absolute / static_cast<double>(g.size());
    report.pearson = pearson(p, g);
    auto classes = [&](auto&& of, const std::vector<std::size_t>& subset) {
        std::vector<int> a, b;
        for (auto i : subset) a.push_back(of(g[i])), b.push_back(of(p[i]));
        return std::pair(a, b);
    };
    std::vector<std::size_t> all(g.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    if (scale == MsaScale::Mosi) {
        auto [gn, pn] = classes([](double x) { return x >= 0 ? 1 : 0; }, all);
        report.acc2NonNegative = accuracy(gn, pn);
        report.f1NonNegative = weightedF1(gn, pn);
        std::vector<std::size_t> nonZero;
        for (auto i : all)
            if (g[i] != 0) nonZero.push_back(i);
        if (!nonZero.empty()) {
            auto [gz, pz] = classes([](double x) { return x > 0 ? 1 : 0; }, nonZero);
            report.acc2NonZero = accuracy(gz, pz);
            report.f1NonZero = weightedF1(gz, pz);
        }
        auto [g7, p7] = classes([](double x) { return static_cast<int>(roundHalfEven(std::clamp(x, -3.0, 3.0))); }, all);
        report.acc7 = accuracy(g7, p7);
        auto [g5, p5] = classes([](double x) { return static_cast<int>(roundHalfEven(std::clamp(x, -2.0, 2.0))); }, all);
        report.acc5 = accuracy(g5, p5);
        return report;
    }
    const std::vector<double> two = {-1.01, 0.0, 1.01}, three = {-1.01, -0.1, 0.1, 1.01}, five = {-1.01, -0.7, -0.1, 0.1, 0.7, 1.01};
    auto [g2, p2] = classes([&](double x) { return bin(x, two); }, all);
    report.acc2 = accuracy(g2, p2);
    report.f1 = weightedF1(g2, p2);
    auto [g3, p3] = classes([&](double x) { return bin(x, three); }, all);
    report.acc3 = accuracy(g3, p3);
    auto [g5, p5] = classes([&](double x) { return bin(x, five); }, all);
    report.acc5 = accuracy(g5, p5);
    std::vector<std::size_t> weak;
    for (auto i : all)
        if (g[i] >= -0.4 && g[i] <= 0.4) weak.push_back(i);
    if (!weak.empty()) {
        auto [gw, pw] = classes([&](double x) { return bin(x, two); }, weak);
        report.acc2Weak = accuracy(gw, pw);
    }
    return report;
}

}  // namespace egmf::eval
