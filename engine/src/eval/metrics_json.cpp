#include "egmf/app/metrics_json.h"

namespace egmf::eval {
namespace {

nlohmann::json optional(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace

nlohmann::json toJson(const ClassificationReport& report) {
    nlohmann::json out = {{"count", report.count},        {"accuracy", report.accuracy},     {"weighted_f1", report.weightedF1},
                          {"macro_f1", report.macroF1},   {"kappa", optional(report.kappa)}, {"labels", report.labels},
                          {"confusion", report.confusion}};
    for (const auto& c : report.perClass) {
        out["per_class"][c.label] = {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
    }
    return out;
}

nlohmann::json toJson(const RegressionReport& r, MsaScale scale) {
    nlohmann::json out = {{"count", r.count}, {"mae", r.mae}, {"pearson", optional(r.pearson)}};
    if (scale == MsaScale::Mosi) {
        out.update({{"acc2_nonnegative", optional(r.acc2NonNegative)},
                    {"f1_nonnegative", optional(r.f1NonNegative)},
                    {"acc2_nonzero", optional(r.acc2NonZero)},
                    {"f1_nonzero", optional(r.f1NonZero)},
                    {"acc7", optional(r.acc7)},
                    {"acc5", optional(r.acc5)}});
    } else {
        out.update({{"acc2", optional(r.acc2)},
                    {"f1", optional(r.f1)},
                    {"acc3", optional(r.acc3)},
                    {"acc5", optional(r.acc5)},
                    {"acc2_weak", optional(r.acc2Weak)}});
    }
    return out;
}

}  // namespace egmf::eval
