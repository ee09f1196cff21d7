#pragma once
// A ready sbatch script for `egmf analyze` or `egmf train` on a Slurm cluster (docs/cluster.md):
// the #SBATCH lines for nodes, tasks, GPUs, time and partition, then one srun line that starts a
// rank per task. The ranks find each other from Slurm's own variables
// (egmf/app/launch_environment.h), so the script sets no address or port.
//   analyze  srun --kill-on-bad-exit=0: a rank that dies leaves the others going, and its
//            unfinished dialogue is taken over; --resume finishes a run that was cut short
//   train    srun --kill-on-bad-exit=1 and #SBATCH --requeue: a rank's death stops the step (a
//            collective cannot go on without it) and a requeued job resumes from its last state

#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::cluster {

struct SbatchRequest {
    std::string program = "egmf";        ///< the egmf to run (an absolute path where PATH differs on the nodes)
    std::vector<std::string> arguments;  ///< after the program: "analyze", "--checkpoint", ...
    std::string jobName = "egmf";
    int nodes = 1;
    int tasksPerNode = 1;  ///< ranks per node (with GPUs: one per GPU)
    int gpusPerNode = 0;
    int cpusPerTask = 0;  ///< 0: Slurm's default
    std::string time = "04:00:00", partition, account;
    std::string output = "egmf-%j.out";
};

/// Errors name the bad setting (not analyze or train, a time Slurm would not read...).
Result<std::string> sbatchScript(const SbatchRequest& request);

/// `text` as one word for a POSIX shell (quoted only where it must be).
std::string shellWord(const std::string& text);

}  // namespace egmf::cluster
