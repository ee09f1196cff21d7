#pragma once
// The narrow LibTorch headers the model files need. <torch/torch.h> costs ~17 s and ~1.2 GB per
// translation unit (TOOLCHAIN.md trap 6); these cost less.

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace egmf::model {

using at::Tensor;

/// An empty [rows, cols] tensor with the options (device, dtype) of `like`.
inline Tensor emptyRows(std::int64_t cols, const Tensor& like) {
    return at::zeros({0, cols}, like.options());
}

/// Token ids as a 1-D int64 tensor on `device`; an empty list gives shape [0].
template <typename Int>
Tensor idsTensor(const std::vector<Int>& ids, const at::Device& device = at::kCPU) {
    std::vector<std::int64_t> wide(ids.begin(), ids.end());
    return at::tensor(wide, at::TensorOptions().dtype(at::kLong)).reshape({static_cast<std::int64_t>(wide.size())}).to(device);
}

}  // namespace egmf::model
