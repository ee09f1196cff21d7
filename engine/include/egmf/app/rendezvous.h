#pragma once
// The store the ranks of one run meet at: c10d's TCPStore, as PyTorch programs use it. Rank 0
// hosts it at MASTER_ADDR:MASTER_PORT (unless torchrun's agent already does) and the others
// connect; the shared work (egmf/app/shared_work.h) and the trainer's process group go through it.

#include <chrono>
#include <memory>

#include "egmf/app/launch_environment.h"
#include "egmf/app/shared_work.h"

namespace egmf::cluster {

/// Connects, trying for at most `timeout`; the error names the address, the variables it came
/// from and what to check (the host name, the port's firewall, whether rank 0 started).
Result<std::unique_ptr<KeyValueStore>> connectStore(const LaunchEnvironment& launch, std::chrono::milliseconds timeout);

}  // namespace egmf::cluster
