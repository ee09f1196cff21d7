#pragma once
// One output pixel of yuv_preprocess.h's definition, written once for both sides: compiled as
// plain C++ for the CPU path and as __host__ __device__ code in the CUDA kernel, so the two differ
// by float rounding (fused multiply-adds) only. No standard-library calls that CUDA lacks.

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define EGMF_HOST_DEVICE __host__ __device__
#else
#define EGMF_HOST_DEVICE
#endif

namespace egmf::frames {

struct Planes {
    int width, height;
    const std::uint8_t *y, *u, *v;
    int yStride, uStride, vStride;
};

struct PixelJob {
    float boxX, boxY, boxWidth, boxHeight;
    int out;
    float mean[3], invStd[3];
};

struct Yuv420Frame;
struct CropBox;
struct Normalisation;
/// The kernel arguments of a frame and a job (yuv_preprocess.cpp); the CPU loop and the CUDA
/// launch both build them here, so they cannot drift apart.
Planes planesOf(const Yuv420Frame& frame);
PixelJob jobOf(const CropBox& box, int out, const Normalisation& norm);

EGMF_HOST_DEVICE inline float clamp255(float value) { return fminf(255.0f, fmaxf(0.0f, value)); }

EGMF_HOST_DEVICE inline int clampIndex(int value, int last) { return value < 0 ? 0 : value > last ? last : value; }

/// BT.601 limited range; rgb receives floats in [0, 255].
EGMF_HOST_DEVICE inline void yuvToRgb(float y, float u, float v, float rgb[3]) {
    const float luma = 1.164383f * (y - 16.0f), cb = u - 128.0f, cr = v - 128.0f;
    rgb[0] = clamp255(luma + 1.596027f * cr);
    rgb[1] = clamp255(luma - 0.391762f * cb - 0.812968f * cr);
    rgb[2] = clamp255(luma + 2.017232f * cb);
}

/// The RGB of luma pixel (x, y), clamped to the frame; chroma from (x/2, y/2).
EGMF_HOST_DEVICE inline void pixelRgb(const Planes& f, int x, int y, float rgb[3]) {
    x = clampIndex(x, f.width - 1);
    y = clampIndex(y, f.height - 1);
    yuvToRgb(f.y[y * f.yStride + x], f.u[(y / 2) * f.uStride + x / 2], f.v[(y / 2) * f.vStride + x / 2], rgb);
}

/// Output pixel (i, j): bilinear over the crop (align_corners = false), normalised, 3 floats (HWC).
EGMF_HOST_DEVICE inline void preprocessPixel(const Planes& f, const PixelJob& job, int i, int j, float* target) {
    const float sy = job.boxY + (static_cast<float>(i) + 0.5f) * job.boxHeight / static_cast<float>(job.out) - 0.5f;
    const float sx = job.boxX + (static_cast<float>(j) + 0.5f) * job.boxWidth / static_cast<float>(job.out) - 0.5f;
    const float fy = floorf(sy), fx = floorf(sx);
    const float wy = sy - fy, wx = sx - fx;
    const int y0 = static_cast<int>(fy), x0 = static_cast<int>(fx);
    float a[3], b[3], c[3], d[3];
    pixelRgb(f, x0, y0, a);
    pixelRgb(f, x0 + 1, y0, b);
    pixelRgb(f, x0, y0 + 1, c);
    pixelRgb(f, x0 + 1, y0 + 1, d);
    for (int k = 0; k < 3; ++k) {
        const float top = a[k] + (b[k] - a[k]) * wx, bottom = c[k] + (d[k] - c[k]) * wx;
        target[k] = (top + (bottom - top) * wy - job.mean[k]) * job.invStd[k];
    }
}

}  // namespace egmf::frames
