#pragma once
// A one-line progress bar on stderr for long commands (`egmf analyze`, `dataset check --clips`):
// drawn only when stderr is a terminal, at most ten times a second, with rate and time left.

#include <chrono>
#include <mutex>
#include <string>

namespace egmf::cli {

class ProgressBar {
public:
    /// `unit`: what is counted ("utterances", "clips").
    ProgressBar(std::string what, std::string unit);
    /// `done` may be fractional (a dialogue half analysed); thread-safe.
    void update(double done, double total);
    /// Prints a line of its own (a warning, an error) without mangling the bar; thread-safe.
    void note(const std::string& line);
    /// Ends the line (when one was drawn).
    void finish();

private:
    std::string m_what, m_unit;
    bool m_terminal = false, m_drawn = false;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
    std::mutex m_mutex;
};

}  // namespace egmf::cli
