#pragma once
// LibTorch's exceptions as users read them.

#include <exception>
#include <string>

namespace egmf {

/// An exception's message for users: LibTorch's errors without their C++ backtrace, first line.
std::string exceptionText(const std::exception& error);

}  // namespace egmf
