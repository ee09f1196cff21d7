#pragma once
// Multi-process training through torch c10d (ARCHITECTURE.md): ProcessGroupGloo over TCP on the
// CPU, ProcessGroupNCCL on GPUs (one per rank), the ranks met at the run's store
// (egmf/app/rendezvous.h). Each rank computes gradients on its share of the global batch; allreduceSum adds them, so
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
    /// Connects the ranks through `setup.store`: NCCL where the parameters are on a GPU and
    /// this LibTorch has it, else Gloo; a world of one connects nothing.
    static Result<std::unique_ptr<Collective>> connect(const DistributedSetup& setup, const at::Device& device);
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int world() const = 0;
    /// Sums each tensor over the ranks, in place (all ranks get the sum).
    virtual void allreduceSum(std::vector<at::Tensor>& tensors) = 0;
    /// The same for one flat tensor, started now; wait() on what comes back before reading it.
    class Pending {
    public:
        virtual ~Pending() = default;
        virtual void wait() = 0;
    };
    virtual std::unique_ptr<Pending> startAllreduceSum(at::Tensor flat) = 0;
};

/// The gradients of a step summed over the ranks in buckets, as PyTorch's DDP does: the trained
/// parameters in reverse order (the backward pass reaches the last layers first) cut into buckets
/// of about `bucketBytes`. During the rank's last backward pass of a step (arm()), a parameter's
/// gradient goes into its bucket as soon as autograd has it, and a full bucket is sent while
/// the pass goes on; buckets are always sent in their order, so every rank issues the same
/// collectives in the same order whatever its dialogues left unused. finish() sends the rest,
/// waits, and puts the sums into .grad. A world of one does nothing.
class GradientSync {
public:
    GradientSync(Collective& group, std::vector<at::Tensor> parameters, std::size_t bucketBytes);
    ~GradientSync();
    GradientSync(const GradientSync&) = delete;
    GradientSync& operator=(const GradientSync&) = delete;
    /// The next backward pass is this rank's last of the step.
    void arm();
    void finish();
    int buckets() const;
    /// Buckets sent before finish() in the last step (overlapped with the backward pass).
    int sentEarly() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// Whether this build can train on several processes, and with NCCL on GPUs.
bool distributedAvailable();
bool ncclAvailable();

}  // namespace egmf::train
