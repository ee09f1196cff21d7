#include "prosody.h"

#include <aubio/aubio.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace egmf::features {
namespace {

struct PitchDeleter {
    void operator()(aubio_pitch_t* p) const { del_aubio_pitch(p); }
};
struct VectorDeleter {
    void operator()(fvec_t* v) const { del_fvec(v); }
};

// aubio's output for hop i describes the window that ends at (i + 1) * hop of what it was fed.
// Feeding `lead` zeros first and dropping the first `skip` outputs centres output i + skip on
// sample i * hop: lead = hop * (1 + skip) - window / 2, with the smallest skip that keeps lead >= 0.
std::vector<float> pitchPerFrame(const std::vector<float>& samples, std::size_t frames, const ProsodyOptions& o) {
    const int hop = o.hopLength, window = o.pitchWindowLength;
    int skip = 0;
    while (hop * (1 + skip) - window / 2 < 0) {
        ++skip;
    }
    const auto lead = static_cast<std::size_t>(hop * (1 + skip) - window / 2);
    std::unique_ptr<aubio_pitch_t, PitchDeleter> pitch(
        new_aubio_pitch("yin", static_cast<uint_t>(window), static_cast<uint_t>(hop), static_cast<uint_t>(o.sampleRateHz)));
    std::unique_ptr<fvec_t, VectorDeleter> in(new_fvec(static_cast<uint_t>(hop)));
    std::unique_ptr<fvec_t, VectorDeleter> out(new_fvec(1));
    std::vector<float> result(frames, 0.0f);
    if (!pitch || !in || !out) {
        return result;
    }
    aubio_pitch_set_unit(pitch.get(), "Hz");
    aubio_pitch_set_silence(pitch.get(), static_cast<smpl_t>(o.silenceDb));
    aubio_pitch_set_tolerance(pitch.get(), static_cast<smpl_t>(o.yinTolerance));
    auto sampleAt = [&](std::size_t fed) { return fed < lead || fed - lead >= samples.size() ? 0.0f : samples[fed - lead]; };
    const std::size_t outputs = frames + static_cast<std::size_t>(skip);
    for (std::size_t i = 0; i < outputs; ++i) {
        for (int k = 0; k < hop; ++k) {
            in->data[k] = sampleAt(i * static_cast<std::size_t>(hop) + static_cast<std::size_t>(k));
        }
        aubio_pitch_do(pitch.get(), in.get(), out.get());
        if (i >= static_cast<std::size_t>(skip)) {
            const float hz = out->data[0];
            result[i - static_cast<std::size_t>(skip)] = std::isfinite(hz) && hz > 0 ? hz / 1000.0f : 0.0f;
        }
    }
    return result;
}

}  // namespace

ProsodyFrames computeProsody(const std::vector<float>& samples, const ProsodyOptions& o) {
    ProsodyFrames prosody;
    if (samples.empty() || o.hopLength <= 0) {
        return prosody;
    }
    const std::size_t hop = static_cast<std::size_t>(o.hopLength);
    const std::size_t frames = samples.size() / hop + 1;
    const auto half = static_cast<std::int64_t>(o.windowLength / 2);
    prosody.logEnergy.resize(frames);
    for (std::size_t j = 0; j < frames; ++j) {
        // The window centred on the frame, zeros beyond the signal's ends.
        double sum = 0;
        const auto centre = static_cast<std::int64_t>(j * hop);
        for (std::int64_t t = centre - half; t < centre + half; ++t) {
            if (t >= 0 && t < static_cast<std::int64_t>(samples.size())) {
                sum += static_cast<double>(samples[static_cast<std::size_t>(t)]) * samples[static_cast<std::size_t>(t)];
            }
        }
        prosody.logEnergy[j] = static_cast<float>(std::log(sum / static_cast<double>(o.windowLength) + 1e-10));
    }
    prosody.pitchKhz = pitchPerFrame(samples, frames, o);
    return prosody;
}

std::vector<float> appendProsody(const std::vector<float>& logMel, std::int64_t melBins, const ProsodyFrames& prosody) {
    const auto frames = static_cast<std::size_t>(melBins > 0 ? logMel.size() / static_cast<std::size_t>(melBins) : 0);
    const auto width = static_cast<std::size_t>(melBins) + 2;
    std::vector<float> out(frames * width, 0.0f);
    for (std::size_t j = 0; j < frames; ++j) {
        std::copy_n(logMel.begin() + static_cast<std::ptrdiff_t>(j * static_cast<std::size_t>(melBins)), melBins,
                    out.begin() + static_cast<std::ptrdiff_t>(j * width));
        out[j * width + static_cast<std::size_t>(melBins)] = j < prosody.pitchKhz.size() ? prosody.pitchKhz[j] : 0.0f;
        out[j * width + static_cast<std::size_t>(melBins) + 1] = j < prosody.logEnergy.size() ? prosody.logEnergy[j] : 0.0f;
    }
    return out;
}

}  // namespace egmf::features
