#include "mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace egmf::train {
namespace {

// LibTorch 2.4 made autocast's switches per device type; 1.13 (Debian's) has one per kind.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(at::DeviceType type) {
    return at::autocast::is_autocast_enabled(type);
}
void enable(at::DeviceType type, bool on) {
    at::autocast::set_autocast_enabled(type, on);
}
at::ScalarType dtype(at::DeviceType type) {
    return at::autocast::get_autocast_dtype(type);
}
void setDtype(at::DeviceType type, at::ScalarType scalar) {
    at::autocast::set_autocast_dtype(type, scalar);
}
#else
bool enabled(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void enable(at::DeviceType type, bool on) {
    type == at::kCUDA ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
}
at::ScalarType dtype(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void setDtype(at::DeviceType type, at::ScalarType scalar) {
    type == at::kCUDA ? at::autocast::set_autocast_gpu_dtype(scalar) : at::autocast::set_autocast_cpu_dtype(scalar);
}
#endif

}  // namespace

BfloatAutocast::BfloatAutocast(const at::Device& device, bool on) : m_type(device.type()), m_on(on) {
    if (!m_on) return;
    m_was = enabled(m_type);
    m_previousType = dtype(m_type);
    setDtype(m_type, at::kBFloat16);
    enable(m_type, true);
}

BfloatAutocast::~BfloatAutocast() {
    if (!m_on) return;
    enable(m_type, m_was);
    setDtype(m_type, m_previousType);
    at::autocast::clear_cache();
}

void BfloatAutocast::stepDone() {
    if (m_on) at::autocast::clear_cache();
}

void keepBaseInBfloat16(torch::nn::Module& model, const at::Device& device) {
    at::NoGradGuard noGrad;
    for (auto& item : model.named_parameters(true)) {
        const auto& key = item.key();
        if (key.rfind("llm.", 0) != 0 || key.find(".lora_") != std::string::npos) continue;
        item.value().set_data(item.value().to(device, at::kBFloat16));
    }
}

}  // namespace egmf::train
