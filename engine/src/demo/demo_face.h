#pragma once
// Drawing one video frame of a demo speaker with OpenCV: a head with the speaker's skin and hair,
// eyes (blinking), brows, nose and mouth set by the expression (demo_script.h Face), the mouth
// opening with the speech, and the speaker's name along the bottom.

#include <opencv2/core.hpp>

#include "egmf/app/demo_script.h"

namespace egmf::demo {

struct FrameState {
    double speech = 0;  ///< 0..1: loudness of the speech at this frame (opens the mouth)
    bool blink = false;
    double bob = 0;  ///< -1..1: a little head movement
};

void drawSpeakerFrame(cv::Mat& frame, const Speaker& speaker, const Face& face, const FrameState& state);

}  // namespace egmf::demo
