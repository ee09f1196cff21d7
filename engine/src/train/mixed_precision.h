#pragma once
// bfloat16 training of a Hugging Face base with LoRA: the frozen base stays in bfloat16 as its
// files hold it (a 7B base in 14 GB, not the 27 GB of float32), the weights that train (the
// adapter, the fusion) stay float32, and the passes run under autocast, which casts each
// matrix product to bfloat16 and keeps reductions and the loss in float32 (torch.autocast).

#include <ATen/ATen.h>
#include <torch/nn/module.h>

namespace egmf::train {

/// Autocast on `device` in bfloat16 while it lives (nothing when `on` is false).
class BfloatAutocast {
public:
    BfloatAutocast(const at::Device& device, bool on);
    ~BfloatAutocast();
    BfloatAutocast(const BfloatAutocast&) = delete;
    BfloatAutocast& operator=(const BfloatAutocast&) = delete;
    /// After each step and each evaluation: autocast keeps its bfloat16 copies of float32 weights
    /// until told, and those made in an inference pass cannot serve a training one.
    void stepDone();

private:
    at::DeviceType m_type;
    bool m_on, m_was = false;
    at::ScalarType m_previousType = at::kBFloat16;
};

/// The frozen base's parameters (`llm.` and not LoRA) in bfloat16 on `device`, before its
/// weights are mapped in (so the files' bfloat16 goes in as it is).
void keepBaseInBfloat16(torch::nn::Module& model, const at::Device& device);

}  // namespace egmf::train
