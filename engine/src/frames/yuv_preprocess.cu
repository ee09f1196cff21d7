// The CUDA side of yuv_preprocess.h: one thread per output pixel, the same per-pixel code as the
// CPU path (yuv_pixel.h). Built only when the LibTorch in use has CUDA (engine/CMakeLists.txt).
#include <cuda_runtime.h>

#include "yuv_preprocess.h"
#include "yuv_pixel.h"

namespace egmf::frames {

namespace {

__global__ void preprocessKernel(Planes planes, PixelJob job, float* output) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    const int i = blockIdx.y * blockDim.y + threadIdx.y;
    if (i >= job.out || j >= job.out) return;
    preprocessPixel(planes, job, i, j, output + (static_cast<size_t>(i) * job.out + j) * 3);
}

}  // namespace

std::string preprocessYuv420Cuda(const Yuv420Frame& deviceFrame, const CropBox& box, int out, const Normalisation& norm,
                                 float* deviceOutput, void* stream) {
    const dim3 threads(16, 16);
    const dim3 blocks((out + threads.x - 1) / threads.x, (out + threads.y - 1) / threads.y);
    preprocessKernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(planesOf(deviceFrame), jobOf(box, out, norm),
                                                                                deviceOutput);
    const cudaError_t status = cudaGetLastError();
    return status == cudaSuccess ? std::string() : std::string(cudaGetErrorString(status));
}

}  // namespace egmf::frames
