#include "egmf/app/face_crop.h"

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

Result<FaceCropper> FaceCropper::create(const FaceCropOptions& options, const std::filesystem::path& cascadeFile) {
    const auto path =
        cascadeFile.empty() ? std::filesystem::path("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml") : cascadeFile;
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

void setOpenCvThreads(int threads) {
    cv::setNumThreads(threads);
}

Result<FaceCrop> FaceCropper::crop(const std::vector<std::uint8_t>& rgb, int width, int height, const FaceCrop* previous) const {
    FaceCrop result;
    result.size = m_options.outputSize;
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3) {
        return makeError(ErrorCode::InvalidArgument, "face crop: a " + std::to_string(width) + "x" + std::to_string(height) +
                                                         " frame needs " + std::to_string(std::max(0, width) * std::max(0, height) * 3) +
                                                         " RGB bytes, tightly packed; it has " + std::to_string(rgb.size()));
    }
    const cv::Mat frame(height, width, CV_8UC3, const_cast<std::uint8_t*>(rgb.data()));
    // Detection runs on a copy at most detectionWidth wide: the cascade's cost grows with the
    // pixel count, and faces in dialogue clips are large. Boxes are scaled back to the frame.
    const double scale =
        m_options.detectionWidth > 0 && width > m_options.detectionWidth ? static_cast<double>(m_options.detectionWidth) / width : 1.0;
    cv::Mat gray;
    cv::cvtColor(frame, gray, cv::COLOR_RGB2GRAY);
    if (scale < 1.0) {
        cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
    }
    cv::equalizeHist(gray, gray);
    // With a face in the previous sample, look near it first at about its size: one small
    // cascade run instead of the whole pyramid over the whole frame (dialogue faces move little
    // in a quarter of a second). Without a hit, the whole frame is searched.
    std::vector<cv::Rect> faces;
    std::vector<int> votes;  // neighbouring detections merged into each box: the cascade's confidence
    if (previous && previous->faceFound && previous->faceWidth > 0) {
        const cv::Rect last(static_cast<int>(previous->faceX * scale), static_cast<int>(previous->faceY * scale),
                            static_cast<int>(previous->faceWidth * scale), static_cast<int>(previous->faceHeight * scale));
        const cv::Rect around = cv::Rect(last.x - last.width / 2, last.y - last.height / 2, last.width * 2, last.height * 2) &
                                cv::Rect(0, 0, gray.cols, gray.rows);
        const int smallest = std::max(m_options.minFaceSize, static_cast<int>(last.width * 0.7));
        const int largest = std::max(smallest + 1, static_cast<int>(last.width * 1.45));
        if (around.width >= smallest && around.height >= smallest) {
            m_detector->cascade.detectMultiScale(gray(around), faces, votes, m_options.scaleStep, 4, 0, cv::Size(smallest, smallest),
                                                 cv::Size(largest, largest));
            for (auto& face : faces) face += around.tl();
        }
    }
    if (faces.empty()) {
        m_detector->cascade.detectMultiScale(gray, faces, votes, m_options.scaleStep, 4, 0,
                                             cv::Size(m_options.minFaceSize, m_options.minFaceSize));
    }
    for (auto& face : faces) {
        face = cv::Rect(static_cast<int>(std::lround(face.x / scale)), static_cast<int>(std::lround(face.y / scale)),
                        static_cast<int>(std::lround(face.width / scale)), static_cast<int>(std::lround(face.height / scale)));
    }
    cv::Rect square;
    if (!faces.empty()) {
        // The most confident box (a large false positive on clothing must not win), then the largest.
        std::size_t best = 0;
        for (std::size_t i = 1; i < faces.size(); ++i) {
            if (votes[i] > votes[best] || (votes[i] == votes[best] && faces[i].area() > faces[best].area())) best = i;
        }
        const auto largest = faces[best];
        result.faceX = largest.x;
        result.faceY = largest.y;
        result.faceWidth = largest.width;
        result.faceHeight = largest.height;
        const int side = static_cast<int>(std::lround(std::max(largest.width, largest.height) * (1.0 + 2 * m_options.margin)));
        const int cx = largest.x + largest.width / 2, cy = largest.y + largest.height / 2;
        square = cv::Rect(cx - side / 2, cy - side / 2, side, side);
        result.faceFound = true;
    } else {
        const int side = std::min(width, height);
        square = cv::Rect((width - side) / 2, (height - side) / 2, side, side);
    }
    // A box reaching past the frame is padded with black rather than shifted: the face stays centred.
    const cv::Rect inside = square & cv::Rect(0, 0, width, height);
    cv::Mat padded;
    cv::copyMakeBorder(frame(inside), padded, inside.y - square.y, square.y + square.height - inside.y - inside.height, inside.x - square.x,
                       square.x + square.width - inside.x - inside.width, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
    cv::Mat resized;
    cv::resize(padded, resized, cv::Size(result.size, result.size), 0, 0, cv::INTER_AREA);
    result.rgb.assign(resized.data, resized.data + resized.total() * 3);
    result.boxX = square.x;
    result.boxY = square.y;
    result.boxWidth = square.width;
    result.boxHeight = square.height;
    return result;
}

}  // namespace egmf::features
