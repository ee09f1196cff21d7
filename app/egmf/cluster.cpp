// egmf cluster slurm [--nodes N] [--tasks-per-node N] [--gpus-per-node N] [--cpus-per-task N]
//                    [--time T] [--partition P] [--account A] [--job-name NAME] [--output PATTERN]
//                    [--script FILE] -- analyze|train ARGUMENTS...
// Writes a ready sbatch script (egmf/app/sbatch_script.h) that runs `egmf ARGUMENTS` on every
// task through srun; docs/cluster.md says how to submit it and how torchrun and mpirun do the same.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "egmf/app/process.h"
#include "egmf/app/sbatch_script.h"

namespace egmf::cli {

Command addClusterCommand(CLI::App& app) {
    auto* command = app.add_subcommand("cluster", "Run analyze or train on a cluster: write a Slurm batch script");
    command->require_subcommand(1);
    struct Options {
        cluster::SbatchRequest request;
        std::string script;
    };
    auto o = std::make_shared<Options>();
    auto* slurm = command->add_subcommand("slurm", "Write an sbatch script for `egmf analyze ...` or `egmf train ...` (after --)");
    slurm->add_option("--nodes", o->request.nodes, "Nodes")->check(CLI::Range(1, 100000))->capture_default_str();
    slurm->add_option("--tasks-per-node", o->request.tasksPerNode, "Ranks per node (default: --gpus-per-node, else 1)")
        ->check(CLI::Range(1, 1024));
    slurm->add_option("--gpus-per-node", o->request.gpusPerNode, "GPUs per node (one rank each)")->check(CLI::Range(0, 64));
    slurm->add_option("--cpus-per-task", o->request.cpusPerTask, "CPU cores per rank (also its OMP_NUM_THREADS)")
        ->check(CLI::Range(0, 4096));
    slurm->add_option("--time", o->request.time, "Wall time (MINUTES, HH:MM:SS or D-HH:MM:SS)")->capture_default_str();
    slurm->add_option("--partition", o->request.partition, "Partition");
    slurm->add_option("--account", o->request.account, "Account to charge");
    slurm->add_option("--job-name", o->request.jobName, "Job name")->capture_default_str();
    slurm->add_option("--output", o->request.output, "Slurm's output file pattern")->capture_default_str();
    slurm->add_option("--egmf", o->request.program, "The egmf program on the nodes (default: this one)");
    slurm->add_option("--script", o->script, "Where to write the script (default: standard output)");
    slurm->add_option("command", o->request.arguments, "analyze|train and its arguments, after --")->required();
    slurm->positionals_at_end();
    return [o, slurm]() {
        auto& request = o->request;
        if (slurm->count("--tasks-per-node") == 0) request.tasksPerNode = std::max(1, request.gpusPerNode);
        if (slurm->count("--egmf") == 0 && !executablePath().empty()) request.program = executablePath();
        auto script = cluster::sbatchScript(request);
        if (!script.ok()) {
            std::fprintf(stderr, "error: %s\n", script.error().message.c_str());
            return 2;
        }
        if (o->script.empty()) {
            std::fputs(script->c_str(), stdout);
            return 0;
        }
        std::ofstream out(o->script, std::ios::binary | std::ios::trunc);
        out << *script;
        out.close();
        if (!out) {
            std::fprintf(stderr, "error: %s: cannot write the script (%s); choose another --script\n", o->script.c_str(),
                         std::strerror(errno));
            return 2;
        }
        std::filesystem::permissions(o->script, std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec,
                                     std::filesystem::perm_options::add);
        std::fprintf(
            stderr, "%s: %d node(s) x %d rank(s)%s; submit it with: sbatch %s\n", o->script.c_str(), request.nodes, request.tasksPerNode,
            request.gpusPerNode > 0 ? (", " + std::to_string(request.gpusPerNode) + " GPU(s) per node").c_str() : "", o->script.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
