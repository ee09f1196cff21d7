#include "torch_errors.h"

#include <c10/util/Exception.h>

namespace egmf {

std::string exceptionText(const std::exception& error) {
    // LibTorch errors carry a C++ backtrace in what(); the user needs the first line.
    const auto* torchError = dynamic_cast<const c10::Error*>(&error);
    const std::string what = torchError ? torchError->what_without_backtrace() : error.what();
    return what.substr(0, what.find('\n'));
}

}  // namespace egmf
