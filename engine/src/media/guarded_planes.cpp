#include "guarded_planes.h"

#include <algorithm>
#include <cstring>

extern "C" {
#include <libavutil/mem.h>
}

namespace egmf::media {
namespace {

std::size_t alignUp(std::size_t value, std::size_t to) {
    return (value + to - 1) / to * to;
}

}  // namespace

void GuardedPlanes::Free::operator()(std::uint8_t* p) const {
    av_free(p);
}

bool GuardedPlanes::reshape(int planes, const int* rowBytes, const int* rows) {
    planes = std::clamp(planes, 1, 3);
    std::array<std::size_t, 3> planeBytes{};
    std::size_t total = 0;
    for (int i = 0; i < planes; ++i) {
        m_lineSizes[static_cast<std::size_t>(i)] = static_cast<int>(alignUp(static_cast<std::size_t>(rowBytes[i]), kLineAlign));
        // Each plane starts aligned: plane bytes, padding, guard, rounded up to the alignment.
        planeBytes[static_cast<std::size_t>(i)] = alignUp(
            static_cast<std::size_t>(m_lineSizes[static_cast<std::size_t>(i)]) * static_cast<std::size_t>(rows[i]) + kPadding + kGuardBytes,
            kLineAlign);
        total += planeBytes[static_cast<std::size_t>(i)];
    }
    if (total > m_capacity) {
        m_block.reset(static_cast<std::uint8_t*>(av_malloc(total)));
        m_capacity = m_block ? total : 0;
        if (!m_block) return false;
    }
    m_planes = planes;
    m_data.fill(nullptr);
    std::uint8_t* at = m_block.get();
    for (int i = 0; i < planes; ++i) {
        const auto index = static_cast<std::size_t>(i);
        m_data[index] = at;
        m_guards[index] = at + static_cast<std::size_t>(m_lineSizes[index]) * static_cast<std::size_t>(rows[i]) + kPadding;
        std::memset(m_guards[index], kGuardValue, kGuardBytes);
        at += planeBytes[index];
    }
    return true;
}

bool GuardedPlanes::intact() const {
    for (int i = 0; i < m_planes; ++i) {
        const std::uint8_t* guard = m_guards[static_cast<std::size_t>(i)];
        if (!std::all_of(guard, guard + kGuardBytes, [](std::uint8_t b) { return b == kGuardValue; })) return false;
    }
    return true;
}

void GuardedPlanes::damageGuardForTest() {
    if (m_planes > 0) m_guards[0][0] = static_cast<std::uint8_t>(~kGuardValue);
}

}  // namespace egmf::media
