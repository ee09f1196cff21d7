#pragma once
// Multi-process training through torch c10d (ARCHITECTURE.md): ProcessGroupGloo over TCP on the
// CPU. Each rank computes gradients on its share of the global batch; allreduceSum adds them, so
// every rank applies the same update as one process with the whole batch would. A world of one
// needs no connection. Built where LibTorch's c10d and Gloo headers are present (EGMF_HAS_C10D).

#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "egmf/app/train_config.h"
#include "egmf/result.h"

namespace egmf::train {

class Collective {
public:
    /// Connects the ranks (rank 0 hosts the TCP store); a world of one connects nothing.
    static Result<std::unique_ptr<Collective>> connect(const DistributedSetup& setup);
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int world() const = 0;
    /// Sums each tensor over the ranks, in place (all ranks get the sum).
    virtual void allreduceSum(std::vector<at::Tensor>& tensors) = 0;
};

/// Whether this build can train on several processes.
bool distributedAvailable();

}  // namespace egmf::train
