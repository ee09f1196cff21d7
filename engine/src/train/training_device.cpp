#include "training_device.h"

#include <torch/cuda.h>

namespace egmf::train {

Result<at::Device> trainingDevice(const std::string& name, int localRank) {
    const bool cuda = torch::cuda::is_available();
    if (name == "auto")
        return cuda ? at::Device(at::kCUDA, static_cast<at::DeviceIndex>(localRank % torch::cuda::device_count())) : at::Device(at::kCPU);
    if (name == "cpu") return at::Device(at::kCPU);
    if (name.rfind("cuda", 0) != 0) return makeError(ErrorCode::InvalidArgument, "--device " + name + ": use auto, cpu, cuda or cuda:N");
    if (!cuda) {
        return makeError(ErrorCode::Unsupported,
                         "--device " + name +
                             ": this LibTorch has no CUDA (Debian's is for the CPU); scripts/build-external-libtorch.sh "
                             "builds egmf against a CUDA one (README: A CUDA build you make yourself)");
    }
    if (name == "cuda") return at::Device(at::kCUDA, static_cast<at::DeviceIndex>(localRank % torch::cuda::device_count()));
    try {
        const at::Device device(name);
        if (static_cast<std::size_t>(device.index()) >= torch::cuda::device_count()) {
            return makeError(ErrorCode::InvalidArgument,
                             "--device " + name + ": this machine has " + std::to_string(torch::cuda::device_count()) + " GPU(s)");
        }
        return device;
    } catch (const std::exception&) {
        return makeError(ErrorCode::InvalidArgument, "--device " + name + ": use auto, cpu, cuda or cuda:N");
    }
}

}  // namespace egmf::train
