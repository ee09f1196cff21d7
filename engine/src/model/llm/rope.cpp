#include "rope.h"

#include <cmath>
#include <numbers>

namespace egmf::model {

RotaryEmbedding::RotaryEmbedding(const LlmConfig& c) : m_rotaryDim(c.rotaryDim()), m_interleaved(c.rotaryInterleaved()) {
    const auto dim = m_rotaryDim;
    auto invFreq = 1.0 / at::pow(c.ropeTheta, at::arange(0, dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(dim));
    if (c.ropeType == "linear") {
        invFreq = invFreq / c.ropeFactor;
    } else if (c.ropeType == "llama3") {
        const double oldContext = static_cast<double>(c.ropeOriginalMaxPositions);
        const double lowWavelength = oldContext / c.ropeLowFreqFactor;
        const double highWavelength = oldContext / c.ropeHighFreqFactor;
        const auto wavelength = 2 * std::numbers::pi / invFreq;
        auto scaled = at::where(wavelength > lowWavelength, invFreq / c.ropeFactor, invFreq);
        const auto smooth = (oldContext / wavelength - c.ropeLowFreqFactor) / (c.ropeHighFreqFactor - c.ropeLowFreqFactor);
        const auto smoothed = (1 - smooth) * scaled / c.ropeFactor + smooth * scaled;
        const auto medium = (wavelength >= highWavelength).logical_and(wavelength <= lowWavelength);
        invFreq = at::where(medium, smoothed, scaled);
    }
    m_invFreq = invFreq.to(at::kFloat);
}

Tensor RotaryEmbedding::apply(const Tensor& x, std::int64_t start) const {
    return apply(x, at::arange(start, start + x.size(1), x.options().dtype(at::kLong)));
}

Tensor RotaryEmbedding::apply(const Tensor& x, const Tensor& positions) const {
    const auto freqs = at::outer(positions.to(at::kFloat), m_invFreq.to(x.device()));
    if (m_interleaved) {
        const auto cos = freqs.cos().to(x.scalar_type());  // [T, rotaryDim / 2]
        const auto sin = freqs.sin().to(x.scalar_type());
        const auto pairs = x.narrow(-1, 0, m_rotaryDim).unflatten(-1, {m_rotaryDim / 2, 2});
        const auto even = pairs.select(-1, 0), odd = pairs.select(-1, 1);
        const auto turned = at::stack({even * cos - odd * sin, odd * cos + even * sin}, -1).flatten(-2);
        return at::cat({turned, x.narrow(-1, m_rotaryDim, x.size(-1) - m_rotaryDim)}, -1);
    }
    const auto angles = at::cat({freqs, freqs}, -1);
    const auto cos = angles.cos().to(x.scalar_type());
    const auto sin = angles.sin().to(x.scalar_type());
    const auto half = x.size(-1) / 2;
    const auto rotated = at::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
    return x * cos + rotated * sin;
}

}  // namespace egmf::model
