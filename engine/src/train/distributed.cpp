#include "distributed.h"

#include "model/torch_errors.h"

#include <cstdlib>
#include <mutex>
#include <sstream>

#ifdef EGMF_HAS_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include "rendezvous/c10d_store.h"
#endif
// A CUDA LibTorch (a PyTorch wheel's) defines USE_C10D_NCCL for those who link it.
#if defined(EGMF_HAS_C10D) && defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define EGMF_HAS_NCCL
#endif

namespace egmf::train {
namespace {

class NothingPending final : public Collective::Pending {
public:
    void wait() override {}
};

class Alone final : public Collective {
public:
    int rank() const override { return 0; }
    int world() const override { return 1; }
    void allreduceSum(std::vector<at::Tensor>&) override {}
    std::unique_ptr<Pending> startAllreduceSum(at::Tensor) override { return std::make_unique<NothingPending>(); }
};

#ifdef EGMF_HAS_C10D
/// A c10d process group: Gloo (the CPU, over TCP) or NCCL (GPUs); both sum the same way.
template <typename Group>
class ProcessGroup final : public Collective {
public:
    ProcessGroup(const DistributedSetup& setup, c10::intrusive_ptr<Group> group) : m_setup(setup), m_group(std::move(group)) {}
    int rank() const override { return m_setup.rank; }
    int world() const override { return m_setup.world; }
    void allreduceSum(std::vector<at::Tensor>& tensors) override {
        if (tensors.empty()) return;
        // One flat buffer: one round trip instead of one per parameter.
        std::vector<at::Tensor> flat{at::cat([&] {
            std::vector<at::Tensor> parts;
            for (const auto& t : tensors) parts.push_back(t.reshape({-1}));
            return parts;
        }())};
        m_group->allreduce(flat)->wait();
        std::int64_t offset = 0;
        for (auto& t : tensors) {
            t.copy_(flat[0].narrow(0, offset, t.numel()).view_as(t));
            offset += t.numel();
        }
    }

    std::unique_ptr<Pending> startAllreduceSum(at::Tensor flat) override {
        std::vector<at::Tensor> tensors{std::move(flat)};
        auto work = m_group->allreduce(tensors);
        return std::make_unique<Started>(std::move(work), std::move(tensors));
    }

private:
    class Started final : public Pending {
    public:
        Started(c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> tensors)
            : m_work(std::move(work)), m_tensors(std::move(tensors)) {}
        void wait() override { m_work->wait(); }

    private:
        c10::intrusive_ptr<c10d::Work> m_work;
        std::vector<at::Tensor> m_tensors;  // the group reads and writes them until wait()
    };

    DistributedSetup m_setup;
    c10::intrusive_ptr<Group> m_group;
};
#endif

}  // namespace

struct GradientSync::State {
    Collective& group;
    std::vector<at::Tensor> parameters;
    struct Slot {
        int bucket = 0;
        std::int64_t offset = 0;
        bool ready = false;
    };
    std::vector<Slot> slots;
    struct Bucket {
        std::vector<std::size_t> members;
        at::Tensor flat;
        int ready = 0;
        std::unique_ptr<Collective::Pending> pending;
    };
    std::vector<Bucket> buckets;
    std::vector<unsigned> hooks;
    std::mutex mutex;
    bool armed = false;
    std::size_t nextToSend = 0;
    int sentEarly = 0, sentEarlyLastStep = 0;

    State(Collective& g, std::vector<at::Tensor> p) : group(g), parameters(std::move(p)) {}

    /// The gradient a parameter has once this pass adds `incoming`, into its bucket.
    void take(std::size_t i, const at::Tensor& incoming) {
        std::lock_guard lock(mutex);
        if (!armed || slots[i].ready) return;
        const auto& p = parameters[i];
        auto whole = p.grad().defined() ? p.grad() + incoming : incoming;
        fill(i, whole);
        sendReady(true);
    }
    void fill(std::size_t i, const at::Tensor& gradient) {
        auto& slot = slots[i];
        auto& bucket = buckets[static_cast<std::size_t>(slot.bucket)];
        bucket.flat.narrow(0, slot.offset, parameters[i].numel()).copy_(gradient.reshape({-1}));
        slot.ready = true;
        ++bucket.ready;
    }
    /// Sends the full buckets at the front, in order.
    void sendReady(bool early) {
        while (nextToSend < buckets.size() && buckets[nextToSend].ready == static_cast<int>(buckets[nextToSend].members.size())) {
            auto& bucket = buckets[nextToSend++];
            bucket.pending = group.startAllreduceSum(bucket.flat);
            sentEarly += early;
        }
    }
};

GradientSync::GradientSync(Collective& group, std::vector<at::Tensor> parameters, std::size_t bucketBytes)
    : m_state(std::make_unique<State>(group, std::move(parameters))) {
    auto& s = *m_state;
    s.slots.resize(s.parameters.size());
    // Reverse order, a new bucket when full or when the dtype changes.
    std::vector<std::int64_t> sizes;
    for (std::size_t k = s.parameters.size(); k-- > 0;) {
        const auto& p = s.parameters[k];
        const auto bytes = static_cast<std::size_t>(p.numel()) * p.element_size();
        auto* last = s.buckets.empty() ? nullptr : &s.buckets.back();
        const bool fits = last &&
                          sizes.back() * static_cast<std::int64_t>(p.element_size()) + static_cast<std::int64_t>(bytes) <=
                              static_cast<std::int64_t>(std::max<std::size_t>(bucketBytes, 1)) &&
                          s.parameters[last->members.front()].scalar_type() == p.scalar_type();
        if (!fits) {
            s.buckets.emplace_back();
            sizes.push_back(0);
        }
        s.slots[k] = {static_cast<int>(s.buckets.size() - 1), sizes.back(), false};
        s.buckets.back().members.push_back(k);
        sizes.back() += p.numel();
    }
    for (std::size_t b = 0; b < s.buckets.size(); ++b) {
        const auto& first = s.parameters[s.buckets[b].members.front()];
        s.buckets[b].flat = at::zeros({sizes[b]}, first.options().requires_grad(false));
    }
    if (group.world() <= 1) return;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        State* state = m_state.get();
        s.hooks.push_back(s.parameters[i].register_hook([state, i](const at::Tensor& incoming) { state->take(i, incoming); }));
    }
}

GradientSync::~GradientSync() {
    auto& s = *m_state;
    for (std::size_t i = 0; i < s.hooks.size(); ++i) s.parameters[i].remove_hook(s.hooks[i]);
}

void GradientSync::arm() {
    std::lock_guard lock(m_state->mutex);
    m_state->armed = m_state->group.world() > 1;
}

void GradientSync::finish() {
    auto& s = *m_state;
    std::lock_guard lock(s.mutex);
    if (s.group.world() > 1) {
        for (std::size_t i = 0; i < s.parameters.size(); ++i) {
            if (s.slots[i].ready) continue;
            const auto& p = s.parameters[i];
            s.fill(i, p.grad().defined() ? p.grad() : at::zeros_like(p));
        }
        s.sendReady(false);
        for (auto& bucket : s.buckets) bucket.pending->wait();
    }
    at::NoGradGuard noGrad;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        auto& p = s.parameters[i];
        if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
        if (s.group.world() <= 1) continue;
        const auto& slot = s.slots[i];
        p.mutable_grad().copy_(s.buckets[static_cast<std::size_t>(slot.bucket)].flat.narrow(0, slot.offset, p.numel()).view_as(p));
    }
    for (auto& slot : s.slots) slot.ready = false;
    for (auto& bucket : s.buckets) bucket.ready = 0, bucket.pending.reset();
    s.nextToSend = 0;
    s.armed = false;
    s.sentEarlyLastStep = s.sentEarly;
    s.sentEarly = 0;
}

int GradientSync::buckets() const {
    return static_cast<int>(m_state->buckets.size());
}

int GradientSync::sentEarly() const {
    return m_state->sentEarlyLastStep;
}

bool distributedAvailable() {
#ifdef EGMF_HAS_C10D
    return true;
#else
    return false;
#endif
}

Result<std::unique_ptr<Collective>> Collective::connect(const DistributedSetup& setup, const at::Device& device) {
    if (setup.world <= 1) return std::unique_ptr<Collective>(std::make_unique<Alone>());
    if (setup.rank < 0 || setup.rank >= setup.world) {
        return makeError(ErrorCode::InvalidArgument,
                         "rank " + std::to_string(setup.rank) + " is outside a world of " + std::to_string(setup.world));
    }
#ifdef EGMF_HAS_C10D
    auto store = setup.store ? cluster::c10dStoreOf(*setup.store) : c10::intrusive_ptr<c10d::Store>();
    if (!store) return makeError(ErrorCode::InvalidArgument, "rank " + std::to_string(setup.rank) + " has no store to meet the others at");
    try {
        // Its keys apart from the run's own (as PyTorch's default group keeps them).
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("group", store);
#ifdef EGMF_HAS_NCCL
        if (device.is_cuda()) {
            auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, setup.rank, setup.world);
            return std::unique_ptr<Collective>(std::make_unique<ProcessGroup<c10d::ProcessGroupNCCL>>(setup, group));
        }
#endif
        auto glooOptions = c10d::ProcessGroupGloo::Options::create();
        glooOptions->timeout = std::chrono::minutes(10);
        // As PyTorch chooses: the interfaces GLOO_SOCKET_IFNAME names, else this host's own address.
        if (const char* names = std::getenv("GLOO_SOCKET_IFNAME"); names && *names) {
            std::stringstream list(names);
            for (std::string name; std::getline(list, name, ',');) {
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
            }
        } else {
            glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        }
        auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, setup.rank, setup.world, glooOptions);
        return std::unique_ptr<Collective>(std::make_unique<ProcessGroup<c10d::ProcessGroupGloo>>(setup, group));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Io, "rank " + std::to_string(setup.rank) + " of " + std::to_string(setup.world) +
                                            " cannot join the others' process group (" + exceptionText(e) +
                                            "); set GLOO_SOCKET_IFNAME to the network interface the nodes share");
    }
#else
    (void)device;
    return makeError(ErrorCode::Unsupported, "this build has no torch c10d (Gloo headers); train with one process");
#endif
}

bool ncclAvailable() {
#ifdef EGMF_HAS_NCCL
    return true;
#else
    return false;
#endif
}

}  // namespace egmf::train
