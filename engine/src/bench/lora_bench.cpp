// `egmf bench lora` (egmf/bench/benchmarks.h): a LoRA step as `egmf train --dtype bfloat16` takes
// it on a GPU, on a Llama-shaped decoder whose weights are made in place (a 7B base in bfloat16
// is 13.5 GB; no file). The base is frozen in bfloat16, the adapter trains in float32, the pass
// runs under bfloat16 autocast with each layer checkpointed, and AdamW steps the adapter. The
// first step's loss is compared with the same step in float32 (the same weights, widened).
#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <map>

#ifdef EGMF_TORCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include "device_clock.h"
#include "egmf/app/expected_tensors.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "model/llm/causal_lm.h"
#include "model/torch_errors.h"
#include "train/mixed_precision.h"

namespace egmf {
namespace {

using Clock = std::chrono::steady_clock;

void resetPeak(const c10::Device& device) {
#ifdef EGMF_TORCH_CUDA
    if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#else
    (void)device;
#endif
}

/// The peak since resetPeak, and where it was read.
std::pair<double, std::string> peakBytes(const c10::Device& device) {
#ifdef EGMF_TORCH_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
        return {
            static_cast<double>(stats.allocated_bytes[static_cast<std::size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE)].peak),
            "the CUDA allocator's peak"};
    }
#endif
    (void)device;
    return {bench::peakRssMiB() * 1024.0 * 1024.0, "the process's peak RSS"};
}

}  // namespace

Result<LoraBenchReport> benchLora(const LoraBenchOptions& o) {
    if (o.threads > 0) at::set_num_threads(o.threads);
    LoraBenchReport report;
    try {
        const c10::Device device(o.device);
        if (device.is_cuda() && !torch::cuda::is_available()) {
            return makeError(ErrorCode::Unsupported, "bench lora: this LibTorch has no CUDA; use --device cpu (with --shape tiny)");
        }
        Manifest manifest = demoManifest();
        manifest.llm = bench::llmShape(o.shape);
        const LoraConfig lora{16, 32, 0.0, false, defaultLoraTargets(manifest.llm)};
        std::map<std::string, std::vector<std::int64_t>> shapes;
        manifest.lora.reset();
        for (const auto& t : checkpoint::expectedTensors(manifest)) shapes[t.key] = t.shape;
        std::shared_ptr<model::CausalLmImpl> llm;
        {
            model::DeferredBaseWeights deferred;
            llm = model::makeCausalLm(manifest.llm, lora);
        }
        resetPeak(device);
        std::vector<at::Tensor> adapter;
        std::vector<at::Tensor> adapterStart;
        for (auto& item : llm->named_parameters(true)) {
            auto& parameter = item.value();
            if (item.key().find(".lora_") != std::string::npos) {
                parameter.set_data(parameter.to(device));
                // B starts at zero in training; a random one makes the adapter count in the loss.
                if (item.key().find("lora_B") != std::string::npos) parameter.data().normal_(0.0, 0.02);
                adapter.push_back(parameter);
                adapterStart.push_back(parameter.detach().clone());
                report.adapterParameters += static_cast<double>(parameter.numel());
                continue;
            }
            const auto found = shapes.find("llm." + item.key());
            if (found == shapes.end()) return makeError(ErrorCode::Internal, "bench lora: no shape for " + item.key());
            const auto options = at::TensorOptions().device(device).dtype(at::kBFloat16);
            const bool norm = item.key().find("norm") != std::string::npos;
            parameter.set_data(norm ? at::ones(found->second, options) : at::randn(found->second, options).mul_(0.02));
            parameter.requires_grad_(false);
            report.baseBytes += static_cast<double>(parameter.numel()) * 2.0;
        }
        llm->train();
        llm->setActivationCheckpointing(true);
        const auto& l = manifest.llm;
        std::string adapted;
        for (const auto& name : lora.targetModules) adapted += (adapted.empty() ? "" : " and ") + name;
        report.configuration = o.shape + (l.isChatGlm() ? " ChatGLM shape (" : " Llama shape (") + std::to_string(l.numHiddenLayers) +
                               " layers, d=" + std::to_string(l.hiddenSize) + ", vocab " + std::to_string(l.vocabSize) +
                               "), random bfloat16 base on " + device.str() + ", LoRA r=16 on " + adapted +
                               " in float32, autocast bfloat16, each layer checkpointed, " + std::to_string(o.tokens) + " tokens a step";
        const auto longOptions = at::TensorOptions().dtype(at::kLong).device(device);
        at::manual_seed(7);
        const auto ids = at::randint(l.vocabSize, {o.tokens}, longOptions);
        const auto targets = at::randint(l.vocabSize, {o.tokens}, longOptions);
        const auto lossOf = [&] {
            model::KvCache cache;
            return at::cross_entropy_loss(llm->logits(llm->forward(llm->embed(ids), cache)), targets);
        };
        torch::optim::AdamW optimizer(adapter, torch::optim::AdamWOptions(1e-4));
        std::vector<double> steps;
        {
            train::BfloatAutocast autocast(device, true);
            for (int run = 0; run <= o.repeats; ++run) {
                const auto start = Clock::now();
                optimizer.zero_grad();
                const auto loss = lossOf();
                loss.backward();
                optimizer.step();
                autocast.stepDone();
                const double ms = bench::msSince(start, device);
                if (run == 0) {
                    report.bfloat16Loss = loss.item<double>();
                } else {
                    steps.push_back(ms);
                }
            }
        }
        report.stepMs = bench::median(steps);
        report.tokensPerSecond = o.tokens / (report.stepMs / 1000.0);
        std::tie(report.peakBytes, report.peakSource) = peakBytes(device);
        if (o.compareFloat32) {
            // The same first step in float32: the base widened, the adapter as it started.
            at::NoGradGuard noGrad;
            for (auto& item : llm->named_parameters(true)) {
                if (item.key().find(".lora_") == std::string::npos) item.value().set_data(item.value().to(at::kFloat));
            }
            for (std::size_t i = 0; i < adapter.size(); ++i) adapter[i].copy_(adapterStart[i]);
            report.float32Loss = lossOf().item<double>();
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, "bench lora on " + o.device + ": " + exceptionText(e));
    }
    return report;
}

}  // namespace egmf
