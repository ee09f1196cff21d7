#include "egmf/app/launch_environment.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

namespace egmf::cluster {
namespace {

std::optional<std::string> variable(const EnvironmentLookup& environment, const char* name) {
    const char* value = environment(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

/// A whole non-negative decimal number, or an error naming the variable.
Result<long long> number(const std::string& text, const std::string& name) {
    long long value = -1;
    const auto* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || at != end || value < 0) {
        return makeError(ErrorCode::InvalidArgument, name + "=\"" + text + "\" is not a whole number; check the launcher's settings");
    }
    return value;
}

struct Names {
    const char *rank, *world, *localRank;
};

/// Rank, world and local rank from three variables (the local rank may be missing: 0).
Result<void> readRanks(const EnvironmentLookup& environment, Names names, LaunchEnvironment& launch) {
    const auto rank = number(*variable(environment, names.rank), names.rank);
    if (!rank) return rank.error();
    const auto worldText = variable(environment, names.world);
    if (!worldText) return makeError(ErrorCode::InvalidArgument, std::string(names.rank) + " is set but " + names.world + " is not");
    const auto world = number(*worldText, names.world);
    if (!world) return world.error();
    if (*world < 1 || *world > 1 << 20)
        return makeError(ErrorCode::InvalidArgument, std::string(names.world) + "=" + *worldText + " is not a world size");
    if (*rank >= *world) {
        return makeError(ErrorCode::InvalidArgument, std::string(names.rank) + "=" + std::to_string(*rank) + " is outside " + names.world +
                                                         "=" + std::to_string(*world));
    }
    launch.rank = static_cast<int>(*rank);
    launch.world = static_cast<int>(*world);
    if (const auto local = variable(environment, names.localRank)) {
        const auto localRank = number(*local, names.localRank);
        if (!localRank) return localRank.error();
        launch.localRank = static_cast<int>(*localRank);
    }
    return {};
}

Result<int> port(const std::string& text, const std::string& name) {
    const auto value = number(text, name);
    if (!value) return value.error();
    if (*value < 1 || *value > 65535) return makeError(ErrorCode::InvalidArgument, name + "=" + text + " is not a TCP port (1-65535)");
    return static_cast<int>(*value);
}

/// MASTER_ADDR / MASTER_PORT, flags first.
Result<void> readMaster(const EnvironmentLookup& environment, const LaunchOverrides& overrides, LaunchEnvironment& launch) {
    if (!overrides.masterAddr.empty())
        launch.masterAddr = overrides.masterAddr;
    else if (const auto addr = variable(environment, "MASTER_ADDR"))
        launch.masterAddr = *addr;
    if (overrides.masterPort > 0) {
        launch.masterPort = overrides.masterPort;
    } else if (const auto text = variable(environment, "MASTER_PORT")) {
        const auto parsed = port(*text, "MASTER_PORT");
        if (!parsed) return parsed.error();
        launch.masterPort = *parsed;
    }
    return {};
}

Result<LaunchEnvironment> fromTorchrun(const EnvironmentLookup& environment, const LaunchOverrides& overrides) {
    LaunchEnvironment launch;
    launch.launcher = "torchrun";
    if (auto ranks = readRanks(environment, {"RANK", "WORLD_SIZE", "LOCAL_RANK"}, launch); !ranks) return ranks.error();
    if (auto master = readMaster(environment, overrides, launch); !master) return master.error();
    if (launch.distributed() && (launch.masterAddr.empty() || launch.masterPort == 0)) {
        return makeError(ErrorCode::InvalidArgument,
                         "RANK and WORLD_SIZE are set but MASTER_ADDR or MASTER_PORT is not; torchrun sets all four "
                         "(or export them: the host and a free port of rank 0)");
    }
    launch.storeHostedByLauncher = variable(environment, "TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
    if (launch.storeHostedByLauncher) {
        // The agent's store outlives a worker restart: each restart keeps its own keys.
        launch.storePrefix = "egmf/" + variable(environment, "TORCHELASTIC_RESTART_COUNT").value_or("0") + "/";
    }
    return launch;
}

Result<LaunchEnvironment> fromSlurm(const EnvironmentLookup& environment, const LaunchOverrides& overrides) {
    LaunchEnvironment launch;
    launch.launcher = "slurm";
    const char* worldName = variable(environment, "SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
    if (auto ranks = readRanks(environment, {"SLURM_PROCID", worldName, "SLURM_LOCALID"}, launch); !ranks) return ranks.error();
    if (auto master = readMaster(environment, overrides, launch); !master) return master.error();
    if (launch.masterAddr.empty()) {
        const char* listName = variable(environment, "SLURM_STEP_NODELIST") ? "SLURM_STEP_NODELIST" : "SLURM_JOB_NODELIST";
        const auto list = variable(environment, listName);
        if (!list)
            return makeError(ErrorCode::InvalidArgument,
                             std::string("SLURM_PROCID is set but ") + listName + " is not; export MASTER_ADDR");
        auto hosts = expandHostList(*list);
        if (!hosts) return makeError(ErrorCode::InvalidArgument, std::string(listName) + ": " + hosts.error().message);
        launch.masterAddr = hosts->front();
    }
    if (launch.masterPort == 0) {
        // Every rank of a step derives the same port; jobs, their steps and a requeued job's next
        // run (whose old port may still linger) differ.
        const auto job = number(variable(environment, "SLURM_JOB_ID").value_or("0"), "SLURM_JOB_ID");
        const auto step = number(variable(environment, "SLURM_STEP_ID").value_or("0"), "SLURM_STEP_ID");
        const auto restart = number(variable(environment, "SLURM_RESTART_COUNT").value_or("0"), "SLURM_RESTART_COUNT");
        if (!job) return job.error();
        launch.masterPort = 15000 + static_cast<int>((*job * 7 + (step ? *step : 0) + (restart ? *restart : 0) * 131) % 20000);
    }
    return launch;
}

Result<LaunchEnvironment> fromOpenMpi(const EnvironmentLookup& environment, const LaunchOverrides& overrides) {
    LaunchEnvironment launch;
    launch.launcher = "open mpi";
    if (auto ranks = readRanks(environment, {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"}, launch);
        !ranks) {
        return ranks.error();
    }
    if (auto master = readMaster(environment, overrides, launch); !master) return master.error();
    if (launch.distributed() && launch.masterAddr.empty()) {
        return makeError(ErrorCode::InvalidArgument,
                         "Open MPI names no master: pass --master-addr HOST (the host of rank 0) or run mpirun -x MASTER_ADDR=HOST");
    }
    if (launch.masterPort == 0) launch.masterPort = 29500;
    return launch;
}

}  // namespace

std::string LaunchEnvironment::describe() const {
    if (!distributed()) return "a single process";
    return "rank " + std::to_string(rank) + " of " + std::to_string(world) + " (" + launcher + "), store at " + masterAddr + ":" +
           std::to_string(masterPort);
}

int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

std::vector<std::string> localRankCommand(int rank, int world, int port, const std::vector<std::string>& argv) {
    std::vector<std::string> command = {"env",
                                        "RANK=" + std::to_string(rank),
                                        "WORLD_SIZE=" + std::to_string(world),
                                        "LOCAL_RANK=" + std::to_string(rank),
                                        "MASTER_ADDR=127.0.0.1",
                                        "MASTER_PORT=" + std::to_string(port)};
    command.insert(command.end(), argv.begin(), argv.end());
    return command;
}

EnvironmentLookup processEnvironment() {
    return [](const char* name) { return static_cast<const char*>(std::getenv(name)); };
}

Result<LaunchEnvironment> readLaunchEnvironment(const EnvironmentLookup& environment, const LaunchOverrides& overrides) {
    if (variable(environment, "RANK") || variable(environment, "WORLD_SIZE")) {
        if (!variable(environment, "RANK")) return makeError(ErrorCode::InvalidArgument, "WORLD_SIZE is set but RANK is not");
        return fromTorchrun(environment, overrides);
    }
    // SLURM_STEP_ID: inside an srun step; the batch script itself is one process.
    if (variable(environment, "SLURM_PROCID") && variable(environment, "SLURM_STEP_ID")) {
        const auto step = variable(environment, "SLURM_STEP_ID").value_or("");
        if (step != "batch" && step != "extern" && step.find_first_not_of("0123456789") == std::string::npos)
            return fromSlurm(environment, overrides);
    }
    if (variable(environment, "OMPI_COMM_WORLD_RANK")) return fromOpenMpi(environment, overrides);
    LaunchEnvironment single;
    return single;
}

}  // namespace egmf::cluster
