#include "utterance_features.h"

#include <algorithm>
#include <cmath>

namespace egmf::runtime {

Error utteranceError(const Utterance& u, const std::string& what) {
    const std::string where = u.clipPath.empty() ? "utterance " + u.id : u.clipPath;
    return makeError(ErrorCode::InvalidArgument, where + ": " + what);
}

Result<at::Tensor> featureTensor(const Utterance& u, const FeatureSequence& f, std::int64_t dim, bool disabled, const char* name,
                                 const at::TensorOptions& options) {
    if (disabled || f.empty()) {
        return at::zeros({0, dim}, options);
    }
    if (f.dim != dim || f.frames < 0 || f.values.size() % static_cast<std::size_t>(dim) != 0 ||
        f.values.size() / static_cast<std::size_t>(dim) != static_cast<std::size_t>(f.frames)) {
        return utteranceError(u, std::string(name) + " features are " + std::to_string(f.frames) + " x " + std::to_string(f.dim) +
                                     " with " + std::to_string(f.values.size()) + " values; the checkpoint expects " + std::to_string(dim) +
                                     " per frame (re-extract the features for this model)");
    }
    if (!std::all_of(f.values.begin(), f.values.end(), [](float v) { return std::isfinite(v); })) {
        return utteranceError(u, std::string(name) + " features hold NaN or infinite values (a damaged clip or a failed extraction)");
    }
    // A view of the caller's values, copied only where the model's device or dtype differs.
    return at::from_blob(const_cast<float*>(f.values.data()), {f.frames, f.dim}, at::kFloat).to(options);
}

}  // namespace egmf::runtime
