#include "log_mel.h"

#include <cmath>

namespace egmf::features {
namespace {

double hzToMel(double hz) {
    return 2595.0 * std::log10(1.0 + hz / 700.0);
}

// torchaudio builds the filterbank in float32 from float32 linspaces; doing the same keeps the
// comparison exact to rounding.
at::Tensor melFilterbank(const LogMelOptions& o) {
    const auto frequencies = o.fftSize / 2 + 1;
    const auto allFreqs = at::linspace(0, o.sampleRateHz / 2, frequencies, at::kFloat);
    const auto melPoints = at::linspace(hzToMel(o.minFrequencyHz), hzToMel(o.maxFrequencyHz), o.melBins + 2, at::kFloat);
    const auto hzPoints = 700.0 * (at::pow(10.0, melPoints / 2595.0) - 1.0);
    const auto spacing = hzPoints.slice(0, 1) - hzPoints.slice(0, 0, -1);
    const auto slopes = hzPoints.unsqueeze(0) - allFreqs.unsqueeze(1);  // [frequencies, bins + 2]
    const auto down = -slopes.slice(1, 0, -2) / spacing.slice(0, 0, -1);
    const auto up = slopes.slice(1, 2) / spacing.slice(0, 1);
    return at::clamp_min(at::minimum(down, up), 0.0);
}

}  // namespace

LogMelSpectrogram::LogMelSpectrogram(const LogMelOptions& options)
    : m_options(options), m_filterbank(melFilterbank(options)), m_window(at::hann_window(options.fftSize, /*periodic=*/true, at::kFloat)) {}

at::Tensor LogMelSpectrogram::compute(const at::Tensor& samples) const {
    const auto& o = m_options;
    if (samples.size(0) <= o.fftSize / 2) {
        return at::zeros({0, o.melBins}, samples.options());
    }
    const auto x = samples.to(at::kFloat);
    const auto spectrum = at::stft(x, o.fftSize, o.hopLength, o.fftSize, m_window.to(x.device()),
                                   /*center=*/true, "reflect", /*normalized=*/false,
                                   /*onesided=*/true, /*return_complex=*/true);
    const auto power = at::abs(spectrum).pow(2.0);  // [frequencies, frames]
    const auto mel = at::matmul(power.transpose(0, 1), m_filterbank.to(x.device()));
    return at::log(at::clamp_min(mel, o.floor)).to(samples.scalar_type());
}

}  // namespace egmf::features
