#include "egmf/app/sbatch_script.h"

#include <algorithm>
#include <regex>

namespace egmf::cluster {

std::string shellWord(const std::string& text) {
    static const std::regex plain("[A-Za-z0-9_@%+=:,./-]+");
    if (std::regex_match(text, plain)) return text;
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

Result<std::string> sbatchScript(const SbatchRequest& request) {
    if (request.arguments.empty() || (request.arguments.front() != "analyze" && request.arguments.front() != "train")) {
        return makeError(ErrorCode::InvalidArgument, "the command to run must be `analyze ...` or `train ...`");
    }
    const bool training = request.arguments.front() == "train";
    if (request.nodes < 1 || request.tasksPerNode < 1 || request.gpusPerNode < 0 || request.cpusPerTask < 0) {
        return makeError(ErrorCode::InvalidArgument, "--nodes and --tasks-per-node must be at least 1, GPUs and CPUs at least 0");
    }
    // Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
    static const std::regex time(R"(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})");
    if (!std::regex_match(request.time, time)) {
        return makeError(ErrorCode::InvalidArgument, "--time " + request.time + ": Slurm reads MINUTES, HH:MM:SS or D-HH:MM:SS");
    }
    for (const auto* field : {&request.jobName, &request.partition, &request.account, &request.output}) {
        if (field->find_first_of(" \t\n'\"\\$`") != std::string::npos) {
            return makeError(ErrorCode::InvalidArgument, "\"" + *field + "\": no spaces, quotes or $ in Slurm's settings");
        }
    }
    std::string s = "#!/bin/bash\n";
    s += "# Written by `egmf cluster slurm`; submit with: sbatch THIS_FILE (docs/cluster.md)\n";
    s += "#SBATCH --job-name=" + request.jobName + "\n";
    s += "#SBATCH --nodes=" + std::to_string(request.nodes) + "\n";
    s += "#SBATCH --ntasks-per-node=" + std::to_string(request.tasksPerNode) + "\n";
    if (request.gpusPerNode > 0) s += "#SBATCH --gpus-per-node=" + std::to_string(request.gpusPerNode) + "\n";
    if (request.cpusPerTask > 0) s += "#SBATCH --cpus-per-task=" + std::to_string(request.cpusPerTask) + "\n";
    s += "#SBATCH --time=" + request.time + "\n";
    if (!request.partition.empty()) s += "#SBATCH --partition=" + request.partition + "\n";
    if (!request.account.empty()) s += "#SBATCH --account=" + request.account + "\n";
    s += "#SBATCH --output=" + request.output + "\n";
    if (training) s += "#SBATCH --requeue\n#SBATCH --open-mode=append\n";  // a requeued run adds to the same log
    s += "set -eu\n";
    s += "# Each rank reads SLURM_PROCID, SLURM_NTASKS and SLURM_JOB_NODELIST; rank 0 holds the store.\n";
    if (request.cpusPerTask > 0) s += "export OMP_NUM_THREADS=" + std::to_string(request.cpusPerTask) + "\n";
    s += training ? "srun --kill-on-bad-exit=1" : "srun --kill-on-bad-exit=0";
    s += " " + shellWord(request.program);
    for (const auto& argument : request.arguments) s += " " + shellWord(argument);
    const bool resumes = std::find(request.arguments.begin(), request.arguments.end(), "--resume") != request.arguments.end();
    if (!resumes) s += " --resume";
    s += "\n";
    return s;
}

}  // namespace egmf::cluster
