#include "face_crop.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace egmf::features {

struct FaceCropper::Detector {
    cv::CascadeClassifier cascade;
};

FaceCropper::FaceCropper(std::unique_ptr<Detector> detector, const FaceCropOptions& options)
    : m_detector(std::move(detector)), m_options(options) {}
FaceCropper::FaceCropper(FaceCropper&&) noexcept = default;
FaceCropper& FaceCropper::operator=(FaceCropper&&) noexcept = default;
FaceCropper::~FaceCropper() = default;

Result<FaceCropper> FaceCropper::create(const FaceCropOptions& options,
                                        const std::filesystem::path& cascadeFile) {
    const auto path = cascadeFile.empty()
                          ? std::filesystem::path("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml")
                          : cascadeFile;
    auto detector = std::make_unique<Detector>();
    try {
        if (!detector->cascade.load(path.string())) {
            return makeError(ErrorCode::NotFound, path.string() +
                                                      ": cannot load the face detector; install opencv-data "
                                                      "(scripts/setup.sh does)");
        }
    } catch (const cv::Exception& e) {
        return makeError(ErrorCode::Corrupt, path.string() + ": not a Haar cascade (" + e.what() + ")");
    }
    if (options.outputSize <= 0) {
        return makeError(ErrorCode::InvalidArgument, "face crop size must be positive");
    }
    return FaceCropper(std::move(detector), options);
}

FaceCrop FaceCropper::crop(const std::vector<std::uint8_t>& rgb, int width, int height) const {
    FaceCrop result;
    result.size = m_options.outputSize;
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3) {
        result.rgb.assign(static_cast<std::size_t>(result.size) * result.size * 3, 0);
        return result;
    }
    const cv::Mat frame(height, width, CV_8UC3, const_cast<std::uint8_t*>(rgb.data()));
    cv::Mat gray;
    cv::cvtColor(frame, gray, cv::COLOR_RGB2GRAY);
    cv::equalizeHist(gray, gray);
    std::vector<cv::Rect> faces;
    m_detector->cascade.detectMultiScale(gray, faces, 1.1, 4, 0,
                                         cv::Size(m_options.minFaceSize, m_options.minFaceSize));
    cv::Rect square;
    if (!faces.empty()) {
        const auto largest = *std::max_element(faces.begin(), faces.end(),
                                               [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
        const int side = static_cast<int>(std::lround(std::max(largest.width, largest.height) * (1.0 + 2 * m_options.margin)));
        const int cx = largest.x + largest.width / 2, cy = largest.y + largest.height / 2;
        square = cv::Rect(cx - side / 2, cy - side / 2, side, side);
        result.faceFound = true;
    } else {
        const int side = std::min(width, height);
        square = cv::Rect((width - side) / 2, (height - side) / 2, side, side);
    }
    // A box reaching past the frame is padded with black rather than shifted: the face stays centred.
    cv::Mat padded;
    const int left = std::max(0, -square.x), top = std::max(0, -square.y);
    const int right = std::max(0, square.x + square.width - width);
    const int bottom = std::max(0, square.y + square.height - height);
    cv::copyMakeBorder(frame, padded, top, bottom, left, right, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
    const cv::Rect inPadded(square.x + left, square.y + top, square.width, square.height);
    cv::Mat resized;
    cv::resize(padded(inPadded), resized, cv::Size(result.size, result.size), 0, 0, cv::INTER_AREA);
    result.rgb.assign(resized.data, resized.data + resized.total() * 3);
    result.boxX = square.x;
    result.boxY = square.y;
    result.boxWidth = square.width;
    result.boxHeight = square.height;
    return result;
}

}  // namespace egmf::features
