#pragma once
// Turning mapped bf16 weights into float32 on the CPU fast. LibTorch 1.13 converts bf16 with a
// scalar loop (87 M values/s: 14 s for a 1B model), and a fresh 5 GB tensor costs 1.2 M page
// faults, each dear in a virtual machine. Here the conversion is a 16-bit shift in a loop the
// compiler vectorises, on every intra-op thread, into memory in transparent huge pages that is
// populated in one call (as is the mapped source), so a 1B model converts in about the time of
// reading its files once.

#include <ATen/ATen.h>

#include "egmf/app/safetensors.h"

namespace egmf::loading {

using checkpoint::TensorEntry;

/// `entry` (BF16) as a new float32 CPU tensor.
at::Tensor bfloat16ToFloat(const TensorEntry& entry);

}  // namespace egmf::loading
