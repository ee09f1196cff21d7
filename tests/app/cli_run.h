#pragma once
// Runs the built `egmf` as a user does (through the shell), capturing its exit code and output.
#include <string>

namespace egmf::test {

struct Run {
    int code = -1;
    std::string output;  ///< stdout and stderr together
};

Run egmf(const std::string& arguments);

}  // namespace egmf::test
