#include "context_gru.h"

#include <cmath>

namespace egmf::model {

ContextGruImpl::ContextGruImpl(std::int64_t inputDim, std::int64_t hidden, bool bidirectional)
    : m_hidden(hidden), m_bidirectional(bidirectional) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));  // nn.GRU's init
    for (std::string suffix : {"", "_reverse"}) {
        if (!suffix.empty() && !bidirectional) {
            break;
        }
        register_parameter("weight_ih_l0" + suffix, at::empty({3 * hidden, inputDim}).uniform_(-bound, bound));
        register_parameter("weight_hh_l0" + suffix, at::empty({3 * hidden, hidden}).uniform_(-bound, bound));
        register_parameter("bias_ih_l0" + suffix, at::empty({3 * hidden}).uniform_(-bound, bound));
        register_parameter("bias_hh_l0" + suffix, at::empty({3 * hidden}).uniform_(-bound, bound));
    }
}

Tensor ContextGruImpl::runDirection(const Tensor& inputs, const Tensor& weightIh, const Tensor& weightHh, const Tensor& biasIh,
                                    const Tensor& biasHh, bool reverse) {
    const auto steps = inputs.size(0);
    const auto inputGates = at::linear(inputs, weightIh, biasIh).chunk(3, 1);  // r, z, n
    auto state = at::zeros({m_hidden}, inputs.options());
    std::vector<Tensor> outputs(static_cast<std::size_t>(steps));
    for (std::int64_t s = 0; s < steps; ++s) {
        const auto t = reverse ? steps - 1 - s : s;
        const auto hiddenGates = at::linear(state, weightHh, biasHh).chunk(3, 0);
        const auto r = at::sigmoid(inputGates[0][t] + hiddenGates[0]);
        const auto z = at::sigmoid(inputGates[1][t] + hiddenGates[1]);
        const auto n = at::tanh(inputGates[2][t] + r * hiddenGates[2]);
        state = (1 - z) * n + z * state;
        outputs[static_cast<std::size_t>(t)] = state;
    }
    return steps == 0 ? at::zeros({0, m_hidden}, inputs.options()) : at::stack(outputs, 0);
}

Tensor ContextGruImpl::forward(const Tensor& pooled) {
    const auto& p = named_parameters(false);
    auto forwardStates = runDirection(pooled, p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"], false);
    if (!m_bidirectional) {
        return forwardStates;
    }
    auto backwardStates =
        runDirection(pooled, p["weight_ih_l0_reverse"], p["weight_hh_l0_reverse"], p["bias_ih_l0_reverse"], p["bias_hh_l0_reverse"], true);
    return at::cat({forwardStates, backwardStates}, 1);
}

}  // namespace egmf::model
