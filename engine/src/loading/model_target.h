#pragma once
// Where a model goes and how it is built there: the device and dtype of LoadOptions checked and
// turned into LibTorch's, then the module made on them with its weights as initialised (the
// loaders in this folder fill them).

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "egmf/checkpoint.h"
#include "egmf/manifest.h"
#include "model/egmf.h"
#include "model/torch_errors.h"

namespace egmf::loading {

/// Where a model goes: LoadOptions' device and dtype, "auto" resolved by egmf/checkpoint.h's rule,
/// checked.
struct ModelTarget {
    c10::Device device;
    at::ScalarType dtype;
};
Result<ModelTarget> modelTarget(const Manifest& manifest, const LoadOptions& options);

/// Builds a model (a module holder such as model::Egmf) for `manifest` on its target (weights as
/// initialised, not loaded).
template <typename Holder>
Result<Holder> buildModule(const Manifest& manifest, const LoadOptions& options) {
    auto target = modelTarget(manifest, options);
    if (!target) return target.error();
    try {
        Holder model(manifest);
        model->to(target->device, target->dtype);
        model->eval();
        return model;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, "cannot build the model on " + options.device + ": " + exceptionText(e));
    }
}

Result<model::Egmf> buildModel(const Manifest& manifest, const LoadOptions& options);

}  // namespace egmf::loading
