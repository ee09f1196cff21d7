#pragma once
// Milliseconds of device work: CUDA kernels run asynchronously, so the clock is read after the
// device has finished what was queued.

#include <chrono>

#include <c10/core/Device.h>
#include <torch/cuda.h>

namespace egmf::bench {

inline double msSince(std::chrono::steady_clock::time_point start, const c10::Device& device) {
    if (device.is_cuda()) torch::cuda::synchronize(device.index());
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace egmf::bench
