#pragma once
// Wall-clock timings for reports (training epochs, loads): seconds on the steady clock.

#include <chrono>

namespace egmf {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace egmf
