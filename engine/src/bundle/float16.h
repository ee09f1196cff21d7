#pragma once
// IEEE 754 half precision, for the attention maps a bundle keeps: half the bytes of float32 and
// far finer than a colour map shows. Rounds to nearest, ties to even, as numpy's astype(float16)
// does (tests/engine/bundle_test.cpp compares the bits with numpy's).

#include <cmath>
#include <cstdint>
#include <cstring>

namespace egmf::bundle {

inline std::uint16_t toHalf(float value) {
    std::uint32_t x = 0;
    std::memcpy(&x, &value, sizeof x);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t magnitude = x & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) return sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x0200u : 0u);  // inf, nan
    if (magnitude >= 0x47800000u) return sign | 0x7c00u;                                             // 2^16 and above: inf
    if (magnitude < 0x38800000u) {
        // Below 2^-14: a subnormal half, in units of 2^-24 (nearbyint rounds ties to even).
        float absolute = 0;
        std::memcpy(&absolute, &magnitude, sizeof absolute);
        return sign | static_cast<std::uint16_t>(std::nearbyint(std::ldexp(absolute, 24)));
    }
    std::uint32_t half = ((((magnitude >> 23) - 127 + 15) << 10) | ((magnitude & 0x7fffffu) >> 13));
    const std::uint32_t rest = magnitude & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry moves into the exponent, up to inf
    return sign | static_cast<std::uint16_t>(half);
}

inline float fromHalf(std::uint16_t half) {
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu, mantissa = half & 0x3ffu;
    if (exponent == 0) {
        const float value = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -value : value;
    }
    const std::uint32_t bits =
        exponent == 31 ? (sign | 0x7f800000u | (mantissa << 13)) : (sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

}  // namespace egmf::bundle
