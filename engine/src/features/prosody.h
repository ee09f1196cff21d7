#pragma once
// Optional prosody channels appended to the log-mel frames (MODEL.md 1): per log-mel frame,
//   pitch    aubio's YIN estimate in kHz (0 where aubio finds no pitch or only silence)
//   energy   log(mean(x^2) + 1e-10) over the log-mel window centred on the frame
// Frames line up with LogMelSpectrogram's (centre = frame * hop, frames = N / hop + 1), so the
// two concatenate column-wise. Torch-free: plain float vectors in and out.

#include <cstdint>
#include <vector>

namespace egmf::features {

struct ProsodyOptions {
    int sampleRateHz = 16000;
    int hopLength = 160;
    int windowLength = 400;       ///< the energy window (the log-mel's n_fft)
    int pitchWindowLength = 800;  ///< YIN needs two periods: 50 ms reaches down to ~40 Hz
    double silenceDb = -60.0;     ///< aubio reports no pitch below this level
    double yinTolerance = 0.15;
};

struct ProsodyFrames {
    std::vector<float> pitchKhz;   ///< per frame
    std::vector<float> logEnergy;  ///< per frame
};

ProsodyFrames computeProsody(const std::vector<float>& samples, const ProsodyOptions& options = {});

/// [frames, melBins] log-mel rows + the two prosody channels -> [frames, melBins + 2], row-major.
std::vector<float> appendProsody(const std::vector<float>& logMel, std::int64_t melBins, const ProsodyFrames& prosody);

}  // namespace egmf::features
