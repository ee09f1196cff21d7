#include "model_target.h"

#include "core/allocator_tuning.h"

namespace egmf::loading {

Result<ModelTarget> modelTarget(const Manifest& manifest, const LoadOptions& requested) {
    const auto options = resolveLoadOptions(manifest, requested);  // a no-op where the caller resolved them
    at::ScalarType dtype = at::kFloat;
    const std::string& wanted = options.dtype;
    if (wanted == "float16") {
        dtype = at::kHalf;
    } else if (wanted == "bfloat16") {
        dtype = at::kBFloat16;
    } else if (wanted != "float32") {
        return makeError(ErrorCode::InvalidArgument, "dtype \"" + options.dtype + "\" is not one of auto, float32, float16, bfloat16");
    }
    tuneAllocatorForInference();
    try {
        const c10::Device device(options.device);
        if (device.is_cuda() && !at::hasCUDA()) {
            return makeError(ErrorCode::Unsupported, "device " + options.device +
                                                         " asked for, but this LibTorch build has no "
                                                         "CUDA (or no GPU is present); use --device cpu");
        }
        return ModelTarget{device, dtype};
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, "device \"" + options.device + "\": " + exceptionText(e));
    }
}

Result<model::Egmf> buildModel(const Manifest& manifest, const LoadOptions& options) {
    return buildModule<model::Egmf>(manifest, options);
}

}  // namespace egmf::loading
