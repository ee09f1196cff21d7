#pragma once
// The tensors an EGMF checkpoint must hold, by checkpoint key and shape, computed from the
// manifest alone (torch-free), so `egmf inspect-checkpoint` and the plugin panel can validate a
// checkpoint of any size without building the model. Mirrors the module tree of engine/src/model;
// a torch test holds the two equal over varied manifests (checkpoint_load_test.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include "egmf/manifest.h"

namespace egmf::checkpoint {

struct ExpectedTensor {
    std::string key;
    std::vector<std::int64_t> shape;
};

/// In the model's parameter order; LoRA adapters under "lora." (weights.h).
std::vector<ExpectedTensor> expectedTensors(const Manifest& manifest);

}  // namespace egmf::checkpoint
