// The LibTorch headers the model, checkpoint and runtime files use, compiled once per build into a
// precompiled header (cmake/EgmfHelpers.cmake, egmf_torch_pch). Parsing them costs ~15 s of the
// ~33 s a torch translation unit takes on the 2-core CI machine (TOOLCHAIN.md, compile cost); with
// the PCH a unit takes ~18 s. Only what most torch files need belongs here: a header added for one
// file makes every other one pay for it.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
