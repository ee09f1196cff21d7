#include "egmf/app/image_files.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace egmf::features {
namespace {

Result<void> writePng(const std::filesystem::path& file, const cv::Mat& image) {
    const auto temporary = file.string() + ".part.png";
    try {
        if (!cv::imwrite(temporary, image)) {
            return makeError(ErrorCode::Io, file.string() + ": cannot write the image; check the folder is writable");
        }
    } catch (const cv::Exception& e) {
        return makeError(ErrorCode::Io, file.string() + ": cannot write the image (" + e.what() + ")");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) {
        return makeError(ErrorCode::Io, file.string() + ": cannot move the image into place (" + ec.message() + ")");
    }
    return {};
}

}  // namespace

Result<void> writeRgbPng(const std::filesystem::path& file, const std::vector<std::uint8_t>& rgb, int width, int height) {
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * height * 3) {
        return makeError(ErrorCode::InvalidArgument, file.string() + ": the image has no pixels to write");
    }
    cv::Mat bgr;
    cv::cvtColor(cv::Mat(height, width, CV_8UC3, const_cast<std::uint8_t*>(rgb.data())), bgr, cv::COLOR_RGB2BGR);
    return writePng(file, bgr);
}

Result<void> writeLogMelPng(const std::filesystem::path& file, const std::vector<float>& values, std::int64_t frames, std::int64_t channels,
                            std::int64_t drawn) {
    if (frames <= 0 || channels <= 0 || drawn <= 0 || drawn > channels || values.size() != static_cast<std::size_t>(frames * channels)) {
        return makeError(ErrorCode::InvalidArgument, file.string() + ": no log-mel frames to draw");
    }
    float low = values[0], high = values[0];
    for (std::int64_t t = 0; t < frames; ++t) {
        for (std::int64_t c = 0; c < drawn; ++c) {
            low = std::min(low, values[t * channels + c]);
            high = std::max(high, values[t * channels + c]);
        }
    }
    const float range = std::max(high - low, 1e-6f);
    cv::Mat image(static_cast<int>(drawn), static_cast<int>(frames), CV_8UC1);
    for (std::int64_t t = 0; t < frames; ++t) {
        for (std::int64_t c = 0; c < drawn; ++c) {
            const float v = (values[t * channels + c] - low) / range;
            image.at<std::uint8_t>(static_cast<int>(drawn - 1 - c), static_cast<int>(t)) = static_cast<std::uint8_t>(v * 255.0f);
        }
    }
    cv::Mat colored;
    cv::applyColorMap(image, colored, cv::COLORMAP_VIRIDIS);
    cv::resize(colored, colored, cv::Size(), 2.0, 3.0, cv::INTER_NEAREST);  // readable at 100 frames/s
    return writePng(file, colored);
}

}  // namespace egmf::features
