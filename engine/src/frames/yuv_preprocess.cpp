#include "yuv_preprocess.h"

#include "yuv_pixel.h"

namespace egmf::frames {

Planes planesOf(const Yuv420Frame& f) { return {f.width, f.height, f.y, f.u, f.v, f.yStride, f.uStride, f.vStride}; }

PixelJob jobOf(const CropBox& box, int out, const Normalisation& norm) {
    PixelJob job{box.x, box.y, box.width, box.height, out, {}, {}};
    for (int k = 0; k < 3; ++k) {
        job.mean[k] = norm.mean[k];
        job.invStd[k] = 1.0f / norm.std[k];
    }
    return job;
}

void preprocessYuv420(const Yuv420Frame& frame, const CropBox& box, int out, const Normalisation& norm,
                      std::vector<float>& output) {
    output.resize(static_cast<std::size_t>(out) * out * 3);
    const auto planes = planesOf(frame);
    const auto job = jobOf(box, out, norm);
    for (int i = 0; i < out; ++i) {
        for (int j = 0; j < out; ++j) {
            preprocessPixel(planes, job, i, j, output.data() + (static_cast<std::size_t>(i) * out + j) * 3);
        }
    }
}

}  // namespace egmf::frames
