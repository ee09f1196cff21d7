#pragma once
// Which rank of how many this process is, read the way PyTorch programs read it from the launcher
// that started them; egmf schedules nothing and opens no transport of its own (docs/cluster.md):
//   torchrun   RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (and TORCHELASTIC_USE_AGENT_STORE:
//              the agent already hosts the store at MASTER_PORT, so rank 0 joins it as a client)
//   srun       SLURM_PROCID, SLURM_STEP_NUM_TASKS (else SLURM_NTASKS), SLURM_LOCALID; rank 0's host is
//              the first of SLURM_STEP_NODELIST (else SLURM_JOB_NODELIST), compressed lists such as
//              node[01-04,07] expanded; the port from the job and step ids unless MASTER_PORT is set
//   mpirun     OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK; Open MPI names no master, so its address
//              comes from --master-addr or MASTER_ADDR
// torchrun's variables win where several launchers nest (torchrun inside an sbatch script). A
// Slurm batch script itself, outside any srun step, is one process. With none of them set this
// is a single run: rank 0 of 1.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::cluster {

struct LaunchEnvironment {
    std::string launcher;  ///< "torchrun" | "slurm" | "open mpi" | "" (a single run)
    int rank = 0, world = 1, localRank = 0;
    std::string masterAddr;  ///< the host of rank 0's store
    int masterPort = 0;
    bool storeHostedByLauncher = false;  ///< torchrun's agent holds the store: rank 0 is a client too
    std::string storePrefix;             ///< keys of this run in a store others share ("" for our own store)

    bool distributed() const { return world > 1; }
    /// "rank 1 of 2 (slurm), store at node01:15023".
    std::string describe() const;
};

/// What flags say, over the environment (Open MPI's master address, above all).
struct LaunchOverrides {
    std::string masterAddr;
    int masterPort = 0;
};

/// The variable's value, or null; the process environment unless a test gives its own.
using EnvironmentLookup = std::function<const char*(const char*)>;
EnvironmentLookup processEnvironment();

/// Errors name the variable that is wrong (not a number, a rank outside the world, no master).
Result<LaunchEnvironment> readLaunchEnvironment(const EnvironmentLookup& environment, const LaunchOverrides& overrides = {});

/// A TCP port nobody uses now on 127.0.0.1, for a run whose ranks all start on this machine
/// (`egmf train --processes`, tests); 0 when none can be had.
int freeLocalPort();

/// The command that starts rank `rank` of `world` on this machine as torchrun starts one: `env`
/// with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR (127.0.0.1) and MASTER_PORT, then `argv`.
std::vector<std::string> localRankCommand(int rank, int world, int port, const std::vector<std::string>& argv);

/// Slurm's compressed host lists: "node[01-03,07],gpu-a,rack[1-2]-n[1-2]" -> node01 node02 node03
/// node07 gpu-a rack1-n1 rack1-n2 rack2-n1 rack2-n2 (zero padding kept). Errors name the bad part.
Result<std::vector<std::string>> expandHostList(const std::string& list);

}  // namespace egmf::cluster
