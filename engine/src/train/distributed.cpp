#include "distributed.h"

#ifdef EGMF_HAS_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace egmf::train {
namespace {

class Alone final : public Collective {
public:
    int rank() const override { return 0; }
    int world() const override { return 1; }
    void allreduceSum(std::vector<at::Tensor>&) override {}
};

#ifdef EGMF_HAS_C10D
class Gloo final : public Collective {
public:
    Gloo(const DistributedSetup& setup, c10::intrusive_ptr<c10d::ProcessGroupGloo> group) : m_setup(setup), m_group(std::move(group)) {}
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

private:
    DistributedSetup m_setup;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
};
#endif

}  // namespace

bool distributedAvailable() {
#ifdef EGMF_HAS_C10D
    return true;
#else
    return false;
#endif
}

Result<std::unique_ptr<Collective>> Collective::connect(const DistributedSetup& setup) {
    if (setup.world <= 1) return std::unique_ptr<Collective>(std::make_unique<Alone>());
    if (setup.rank < 0 || setup.rank >= setup.world) {
        return makeError(ErrorCode::InvalidArgument, "--rank must be 0.." + std::to_string(setup.world - 1));
    }
#ifdef EGMF_HAS_C10D
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(setup.port);
        options.isServer = setup.rank == 0;
        options.numWorkers = setup.world;
        options.timeout = std::chrono::minutes(2);
        auto store = c10::make_intrusive<c10d::TCPStore>(setup.host, options);
        auto glooOptions = c10d::ProcessGroupGloo::Options::create();
        glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(setup.host));
        auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, setup.rank, setup.world, glooOptions);
        return std::unique_ptr<Collective>(std::make_unique<Gloo>(setup, group));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Io, "cannot connect rank " + std::to_string(setup.rank) + " of " + std::to_string(setup.world) +
                                            " at " + setup.host + ":" + std::to_string(setup.port) + " (" + e.what() +
                                            "); start every rank with the same --world, --host and --port");
    }
#else
    return makeError(ErrorCode::Unsupported, "this build has no torch c10d (Gloo headers); train with one process");
#endif
}

}  // namespace egmf::train
