#pragma once
// The metrics reports as JSON (what `egmf eval` prints and checkpoints record): snake_case keys,
// undefined values as null, never NaN.

#include <nlohmann/json.hpp>

#include "metrics.h"

namespace egmf::eval {

nlohmann::json toJson(const ClassificationReport& report);
nlohmann::json toJson(const RegressionReport& report, MsaScale scale);

}  // namespace egmf::eval
