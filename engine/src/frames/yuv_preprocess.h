#pragma once
// Frame preprocessing from the decoder's YUV 4:2:0 planes, the way a face crop enters a network:
// YUV -> RGB, crop a box, resize it to out x out, normalise. Defined once, precisely, so the CPU
// path (yuv_preprocess.cpp) and the CUDA kernel (yuv_preprocess.cu, built when the LibTorch in use
// has CUDA) compute the same numbers; the CUDA test compares the kernel with committed fixtures the
// CPU path made (tests/data/frames, within 1e-3).
//
// The definition (all in float; yuv_pixel.h is the code both sides compile):
//   - colour: BT.601 limited range (H.264 as MELD and most phones write it):
//       R = 1.164383 (Y-16) + 1.596027 (V-128)
//       G = 1.164383 (Y-16) - 0.391762 (U-128) - 0.812968 (V-128)
//       B = 1.164383 (Y-16) + 2.017232 (U-128)
//     clamped to [0, 255]; a luma pixel (x, y) takes the chroma sample (x/2, y/2).
//   - crop + resize: output pixel (i, j) samples the frame at
//       sx = box.x + (j + 0.5) * box.w / out - 0.5,   sy = box.y + (i + 0.5) * box.h / out - 0.5
//     bilinearly between the RGB of the four nearest pixels (align_corners = false, as
//     torch.nn.functional.interpolate and OpenCV's INTER_LINEAR); coordinates outside the frame
//     are clamped to its edge pixels.
//   - normalise: value = (rgb - mean[c]) / std[c]; the layout is HWC (face-api's NHWC rows).
// Torch-free.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace egmf::frames {

/// One decoded frame's planes (as FFmpeg's AVFrame holds them for AV_PIX_FMT_YUV420P).
struct Yuv420Frame {
    int width = 0, height = 0;
    const std::uint8_t* y = nullptr;
    const std::uint8_t* u = nullptr;
    const std::uint8_t* v = nullptr;
    int yStride = 0, uStride = 0, vStride = 0;
};

struct CropBox {
    float x = 0, y = 0, width = 0, height = 0;  ///< in luma pixels; may reach outside the frame
};

struct Normalisation {
    std::array<float, 3> mean{0, 0, 0};
    std::array<float, 3> std{1, 1, 1};
};

/// out x out x 3 floats (HWC) into `output` (resized to fit), on the CPU.
void preprocessYuv420(const Yuv420Frame& frame, const CropBox& box, int out, const Normalisation& norm,
                      std::vector<float>& output);

/// The same on the GPU (yuv_preprocess.cu; only in builds whose LibTorch has CUDA): the planes and
/// `deviceOutput` (out x out x 3 floats) are device pointers; `stream` a cudaStream_t or null.
/// Returns "" or CUDA's error text.
std::string preprocessYuv420Cuda(const Yuv420Frame& deviceFrame, const CropBox& box, int out, const Normalisation& norm,
                                 float* deviceOutput, void* stream = nullptr);

}  // namespace egmf::frames
