#pragma once
// The narrow LibTorch headers the model files need. <torch/torch.h> costs ~17 s and ~1.2 GB per
// translation unit (TOOLCHAIN.md trap 6); these cost less.

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

}  // namespace egmf::model
