#pragma once
// PNG files for inspecting features (OpenCV's encoder): face crops, and a log-mel as an image.
// Torch-free. Writes go to a temporary name first and are renamed, so no half-written file stays.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "egmf/result.h"

namespace egmf::features {

Result<void> writeRgbPng(const std::filesystem::path& file, const std::vector<std::uint8_t>& rgb, int width, int height);

/// The first `drawn` of [frames, channels] row-major values as a colour-mapped image, frames left
/// to right, channel 0 at the bottom, scaled from their lowest to their highest value (appended
/// prosody channels have other units and are left out by drawing only the mel bins).
Result<void> writeLogMelPng(const std::filesystem::path& file, const std::vector<float>& values, std::int64_t frames, std::int64_t channels,
                            std::int64_t drawn);

}  // namespace egmf::features
