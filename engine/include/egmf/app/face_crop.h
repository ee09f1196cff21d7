#pragma once
// Face crops for the visual branch (MODEL.md 1): OpenCV's Haar frontal-face cascade (Debian's
// opencv-data) finds the largest face in a frame; the crop is that box padded to a square with a
// margin, resized to the embedding network's input (112 x 112 RGB). Without a face the centre
// square of the frame is used, and the crop says so. Torch-free (OpenCV only).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "egmf/result.h"

namespace egmf::features {

struct FaceCrop {
    std::vector<std::uint8_t> rgb;  ///< size x size x 3
    int size = 0;
    bool faceFound = false;
    int boxX = 0, boxY = 0, boxWidth = 0, boxHeight = 0;      ///< the square taken from the frame
    int faceX = 0, faceY = 0, faceWidth = 0, faceHeight = 0;  ///< the detected face, when found
};

struct FaceCropOptions {
    int outputSize = 112;
    double margin = 0.2;       ///< added around the detected box, as a fraction of its side
    int minFaceSize = 32;      ///< pixels of the detection image (1/15 of its width); smaller faces are ignored
    int detectionWidth = 480;  ///< detect on a copy scaled down to this width (0: full size)
    double scaleStep = 1.1;    ///< the cascade's pyramid step (1.2 is faster but misses faces between its sizes)
};

/// OpenCV's own worker threads (benchmarks pin everything to one thread).
void setOpenCvThreads(int threads);

class FaceCropper {
public:
    /// Loads the cascade; `cascadeFile` empty: Debian's haarcascade_frontalface_default.xml.
    static Result<FaceCropper> create(const FaceCropOptions& options = {}, const std::filesystem::path& cascadeFile = {});
    FaceCropper(FaceCropper&&) noexcept;
    FaceCropper& operator=(FaceCropper&&) noexcept;
    ~FaceCropper();

    /// `rgb` is width x height x 3, row-major, tightly packed (media::VideoFrame's layout); any
    /// other size is an error, not a black crop. With `previous` (the crop of the frame before,
    /// same size) the search starts near its face and only covers the whole frame without a hit there.
    Result<FaceCrop> crop(const std::vector<std::uint8_t>& rgb, int width, int height, const FaceCrop* previous = nullptr) const;

private:
    struct Detector;
    explicit FaceCropper(std::unique_ptr<Detector> detector, const FaceCropOptions& options);
    std::unique_ptr<Detector> m_detector;
    FaceCropOptions m_options;
};

}  // namespace egmf::features
