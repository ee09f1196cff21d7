#include "progress_bar.h"

#include <unistd.h>
#include <algorithm>
#include <cstdio>

namespace egmf::cli {

ProgressBar::ProgressBar(std::string what, std::string unit)
    : m_what(std::move(what)), m_unit(std::move(unit)), m_terminal(::isatty(2) == 1), m_start(std::chrono::steady_clock::now()) {}

void ProgressBar::update(double done, double total) {
    if (!m_terminal || total <= 0) return;
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && done < total && now - m_lastDraw < std::chrono::milliseconds(100)) return;
    m_lastDraw = now;
    m_drawn = true;
    const double fraction = std::clamp(done / total, 0.0, 1.0);
    const double seconds = std::chrono::duration<double>(now - m_start).count();
    const double rate = seconds > 0 ? done / seconds : 0;
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    char eta[32] = "--:--";
    if (rate > 0) {
        const int left = static_cast<int>((total - done) / rate);
        std::snprintf(eta, sizeof eta, "%d:%02d", left / 60, left % 60);
    }
    std::fprintf(stderr, "\r%s [%s] %.0f/%.0f %s  %.1f/s  %s left ", m_what.c_str(), bar.c_str(), done, total, m_unit.c_str(), rate, eta);
    std::fflush(stderr);
}

void ProgressBar::note(const std::string& line) {
    std::lock_guard lock(m_mutex);
    // Over the bar (cleared), which the next update draws again below the line.
    std::fprintf(stderr, "%s%s\n", m_drawn ? "\r\033[K" : "", line.c_str());
    m_drawn = false;
}

void ProgressBar::finish() {
    std::lock_guard lock(m_mutex);
    if (m_drawn) std::fprintf(stderr, "\n");
    m_drawn = false;
}

}  // namespace egmf::cli
