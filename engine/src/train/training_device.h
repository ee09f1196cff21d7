#pragma once
// Which device a rank trains on (egmf train --device).

#include <string>

#include <ATen/ATen.h>

#include "egmf/result.h"

namespace egmf::train {

/// Where this rank trains: "auto" is CUDA where this LibTorch has it; "cuda" the GPU of the local
/// rank (one GPU per rank, as torchrun and srun start them).
Result<at::Device> trainingDevice(const std::string& name, int localRank);

}  // namespace egmf::train
