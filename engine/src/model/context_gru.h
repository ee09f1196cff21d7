#pragma once
// The dialogue-context GRU (MODEL.md 3): runs over pool(H_f) of a dialogue's utterances and gives
// each utterance its context vector c_i. nn.GRU's parameter names and gate order (r, z, n);
// bidirectional concatenates the forward and backward states (a manifest field).

#include "torch_nn.h"

namespace egmf::model {

class ContextGruImpl : public torch::nn::Module {
public:
    ContextGruImpl(std::int64_t inputDim, std::int64_t hidden, bool bidirectional);
    /// [utterances, inputDim] -> [utterances, hidden * directions]
    Tensor forward(const Tensor& pooled);

private:
    Tensor runDirection(const Tensor& inputs, const Tensor& weightIh, const Tensor& weightHh, const Tensor& biasIh, const Tensor& biasHh,
                        bool reverse);
    std::int64_t m_hidden;
    bool m_bidirectional;
};
TORCH_MODULE(ContextGru);

}  // namespace egmf::model
