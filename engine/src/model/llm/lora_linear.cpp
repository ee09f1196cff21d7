#include "lora_linear.h"

#include <algorithm>
#include <cmath>

namespace egmf::model {
namespace {
thread_local bool tDeferred = false;
}

DeferredBaseWeights::DeferredBaseWeights() : m_previous(tDeferred) {
    tDeferred = true;
}
DeferredBaseWeights::~DeferredBaseWeights() {
    tDeferred = m_previous;
}
bool DeferredBaseWeights::active() {
    return tDeferred;
}

Tensor baseWeight(at::IntArrayRef shape, const std::function<void(Tensor&)>& init) {
    if (tDeferred) return at::empty({0});
    auto weight = at::empty(shape);
    init(weight);
    return weight;
}

LoraLinearImpl::LoraLinearImpl(std::int64_t in, std::int64_t out, bool withBias, const std::optional<LoraConfig>& lora) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    weight = register_parameter("weight", baseWeight({out, in}, [&](Tensor& w) { w.uniform_(-bound, bound); }));
    if (withBias) {
        bias = register_parameter("bias", baseWeight({out}, [](Tensor& b) { b.zero_(); }));
    }
    if (lora) {
        using torch::nn::LinearOptions;
        lora_A = register_module("lora_A", torch::nn::Linear(LinearOptions(in, lora->rank).bias(false)));
        lora_B = register_module("lora_B", torch::nn::Linear(LinearOptions(lora->rank, out).bias(false)));
        at::NoGradGuard noGrad;
        lora_B->weight.zero_();
        m_scale = lora->scale();
        m_dropout = lora->dropout;
    }
}

std::optional<LoraConfig> adapterFor(const std::optional<LoraConfig>& lora, const char* name) {
    if (lora && std::find(lora->targetModules.begin(), lora->targetModules.end(), name) != lora->targetModules.end()) {
        return lora;
    }
    return std::nullopt;
}

Tensor LoraLinearImpl::forward(const Tensor& x) {
    auto y = at::linear(x, weight, bias);
    if (hasAdapter()) {
        const auto adapterInput = is_training() && m_dropout > 0 ? at::dropout(x, m_dropout, true) : x;
        y = y + lora_B->forward(lora_A->forward(adapterInput)) * m_scale;
    }
    return y;
}

}  // namespace egmf::model
