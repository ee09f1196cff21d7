#include "demo_face.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace egmf::demo {
namespace {

cv::Scalar colour(const std::array<int, 3>& bgr) {
    return {static_cast<double>(bgr[0]), static_cast<double>(bgr[1]), static_cast<double>(bgr[2])};
}

/// A parabola-shaped lip from -half to +half around `centre`; corners lifted by `lift` (and
/// `skew` more on the right, for a disgusted sneer).
std::vector<cv::Point> lip(cv::Point2d centre, double half, double lift, double skew, double offset) {
    std::vector<cv::Point> points;
    for (int i = 0; i <= 16; ++i) {
        const double x = -1.0 + i / 8.0;
        const double y = centre.y + offset * (1.0 - x * x) - (lift + skew * x) * x * x;
        points.emplace_back(static_cast<int>(std::lround(centre.x + x * half)), static_cast<int>(std::lround(y)));
    }
    return points;
}

}  // namespace

void drawSpeakerFrame(cv::Mat& frame, const Speaker& speaker, const Face& face, const FrameState& state) {
    const double w = frame.cols, h = frame.rows;
    frame.setTo(cv::Scalar(92, 78, 66));
    cv::rectangle(frame, cv::Rect(0, static_cast<int>(h * 0.8), frame.cols, frame.rows), cv::Scalar(60, 52, 46), cv::FILLED);
    const double s = speaker.headScale * h / 240.0;
    const cv::Point2d c(w / 2 + state.bob * 3 * s, h * 0.45 + std::abs(state.bob) * 2 * s);
    const auto at = [&](double dx, double dy) {
        return cv::Point(static_cast<int>(std::lround(c.x + dx * s)), static_cast<int>(std::lround(c.y + dy * s)));
    };
    const auto size = [&](double a, double b) {
        return cv::Size(std::max(1, static_cast<int>(std::lround(a * s))), std::max(1, static_cast<int>(std::lround(b * s))));
    };

    // Neck, hair behind, head, hair on top.
    cv::rectangle(frame, cv::Rect(at(-22, 70), at(22, 110)), colour(speaker.skin), cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, at(0, -12), size(78, 92), 0, 0, 360, colour(speaker.hair), cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, at(0, 0), size(66, 84), 0, 0, 360, colour(speaker.skin), cv::FILLED, cv::LINE_AA);
    cv::ellipse(frame, at(0, -52), size(68, 38), 0, 180, 360, colour(speaker.hair), cv::FILLED, cv::LINE_AA);

    // Eyes: whites, irises, lids closing on a blink.
    const double open = state.blink ? 0.1 : std::clamp(face.eyeOpen, 0.3, 1.7);
    for (const int side : {-1, 1}) {
        const auto centre = at(side * 26, -14);
        cv::ellipse(frame, centre, size(13, 8 * open), 0, 0, 360, cv::Scalar(245, 245, 245), cv::FILLED, cv::LINE_AA);
        if (!state.blink)
            cv::circle(frame, centre, std::max(1, static_cast<int>(std::lround(std::min(5.0, 8 * open) * s))), cv::Scalar(50, 35, 25),
                       cv::FILLED, cv::LINE_AA);
        cv::ellipse(frame, centre, size(13, 8 * open), 0, 0, 360, cv::Scalar(40, 40, 40), 1, cv::LINE_AA);
        // Brows: raised or lowered; the inner end down for anger, up for sadness and fear.
        const double y = -32 - face.browRaise * 9 - (open - 1.0) * 6;
        cv::line(frame, at(side * 10, y + face.browTilt * 8), at(side * 40, y - face.browTilt * 3), colour(speaker.hair),
                 std::max(2, static_cast<int>(std::lround(4 * s))), cv::LINE_AA);
    }

    // Nose, and the wrinkles of disgust across it.
    cv::line(frame, at(0, -6), at(-5, 16), cv::Scalar(70, 90, 130), 2, cv::LINE_AA);
    cv::line(frame, at(-5, 16), at(4, 18), cv::Scalar(70, 90, 130), 2, cv::LINE_AA);
    for (int i = 0; i < 3 && face.wrinkle > 0.25; ++i) {
        const double y = -4 + i * 5;
        cv::ellipse(frame, at(0, y), size(8 + 3 * face.wrinkle, 2), 0, 200, 340, cv::Scalar(60, 80, 115),
                    std::max(1, static_cast<int>(std::lround(face.wrinkle * 2))), cv::LINE_AA);
    }

    // Mouth: the corners follow the smile; speech and the expression open it.
    const double smile = std::clamp(face.smile, -1.2, 1.2);
    const double skew = std::clamp(face.wrinkle, 0.0, 1.2) * 4;
    const double gap = std::clamp(face.mouthOpen * 14 + state.speech * 12, 0.0, 26.0);
    const cv::Point2d mouth = {c.x, c.y + 42 * s};
    auto upper = lip(mouth, 24 * s, smile * 10 * s, skew * s, -2 * s);
    auto lower = lip(mouth, 24 * s, smile * 10 * s, skew * s, gap * s);
    std::vector<cv::Point> opening(upper);
    opening.insert(opening.end(), lower.rbegin(), lower.rend());
    cv::fillPoly(frame, std::vector<std::vector<cv::Point>>{opening}, cv::Scalar(40, 30, 90), cv::LINE_AA);
    cv::polylines(frame, std::vector<std::vector<cv::Point>>{upper, lower}, false, cv::Scalar(50, 50, 140),
                  std::max(2, static_cast<int>(std::lround(3 * s))), cv::LINE_AA);

    // The name, as a caption.
    int baseline = 0;
    const double scale = h / 400.0;
    const auto text = cv::getTextSize(speaker.name, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
    cv::putText(frame, speaker.name, cv::Point((frame.cols - text.width) / 2, frame.rows - text.height / 2 - 4), cv::FONT_HERSHEY_SIMPLEX,
                scale, cv::Scalar(235, 235, 235), std::max(1, static_cast<int>(h / 240)), cv::LINE_AA);
}

}  // namespace egmf::demo
