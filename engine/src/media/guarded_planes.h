#pragma once
// Buffers that FFmpeg writes into, laid out by FFmpeg's own rules and watched for overruns.
//
// swscale's SIMD writers store whole vectors: for RGB24 they go up to 24 bytes past the end of a
// row (more with AVX2), which is harmless inside a padded frame and heap corruption at the end of
// a tightly packed width x height x 3 buffer (clips 360 pixels wide aborted with "malloc():
// corrupted top size"). So every plane here has a line size aligned to kLineAlign and
// kPadding bytes after its last row, as av_frame_get_buffer gives a decoder; after those come
// kGuardBytes of a known pattern. Sanitizers cannot see inside FFmpeg (it is not instrumented),
// so intact() is the check that turns any overrun into an error instead of silent corruption.
// It costs one 64-byte compare per plane and runs in every build.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace egmf::media {

class GuardedPlanes {
public:
    static constexpr int kLineAlign = 64;
    static constexpr std::size_t kPadding = 64;
    static constexpr std::size_t kGuardBytes = 64;
    static constexpr std::uint8_t kGuardValue = 0xA5;

    /// Makes room for `planes` planes of rowBytes[i] x rows[i]; keeps the allocation when it
    /// already fits. False when out of memory.
    bool reshape(int planes, const int* rowBytes, const int* rows);

    std::uint8_t* const* data() { return m_data.data(); }
    const int* lineSizes() const { return m_lineSizes.data(); }
    const std::uint8_t* plane(int index) const { return m_data[static_cast<std::size_t>(index)]; }
    int lineSize(int index) const { return m_lineSizes[static_cast<std::size_t>(index)]; }

    /// Every plane's guard still holds its pattern (nothing wrote past the padding).
    bool intact() const;
    /// Overwrites the first guard byte: lets a test prove that intact() notices.
    void damageGuardForTest();

private:
    struct Free {
        void operator()(std::uint8_t* p) const;
    };
    std::unique_ptr<std::uint8_t, Free> m_block;
    std::size_t m_capacity = 0;
    int m_planes = 0;
    std::array<std::uint8_t*, 4> m_data{};
    std::array<int, 4> m_lineSizes{};
    std::array<std::uint8_t*, 3> m_guards{};
};

}  // namespace egmf::media
