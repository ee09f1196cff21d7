#pragma once
// What this build of the engine was compiled against, for the plugin host's compatibility check:
// a plugin built against another LibTorch or C++ ABI is refused before its code is loaded
// (plugins/sdk/egmf/plugin/checkpoint_loader.h). Torch-free header.

#include <string>

namespace egmf {

/// "MAJOR.MINOR.PATCH" from LibTorch's TORCH_VERSION macros.
std::string torchVersion();
/// _GLIBCXX_USE_CXX11_ABI as compiled (0 or 1).
int cxx11Abi();
/// Whether this LibTorch has CUDA and a GPU is present.
bool cudaAvailable();

}  // namespace egmf
