#include "cli_run.h"

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include "../engine/test_support.h"

namespace egmf::test {

Run egmf(const std::string& arguments) {
    const auto command = test::binaryDir().string() + "/bin/egmf " + arguments + " 2>&1";
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    std::array<char, 4096> buffer{};
    while (pipe && std::fgets(buffer.data(), buffer.size(), pipe)) run.output += buffer.data();
    const int status = pipe ? ::pclose(pipe) : -1;
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

}  // namespace egmf::test
