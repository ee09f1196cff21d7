#include "egmf/build_info.h"

#include <ATen/Context.h>
#include <torch/version.h>

namespace egmf {

std::string torchVersion() {
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH);
}

int cxx11Abi() {
    return _GLIBCXX_USE_CXX11_ABI;
}

bool cudaAvailable() {
    return at::hasCUDA() && at::getNumGPUs() > 0;
}

}  // namespace egmf
