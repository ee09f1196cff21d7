// `egmf bench llm` (egmf/bench/benchmarks.h): greedy decoding of a Llama-shaped decoder with random weights,
// made in place on the device (no file: a 7B model in bfloat16 is 13.5 GB), against the memory-
// bandwidth floor. Decoding one token reads every weight once (and the KV cache), so
//   floor = bytes read per token / bandwidth,
// with the bandwidth measured here by a device-to-device copy of 1 GiB. The figure of merit is the
// fraction of that bandwidth the decoder reaches (the goal: >= 60% of HBM bandwidth on a GPU).
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <chrono>
#include <map>

#include "device_clock.h"
#include "egmf/app/expected_tensors.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "loading/model_target.h"
#include "model/llm/generation.h"
#include "model/llm/lora_linear.h"
#include "runtime/egmf_runner.h"
#include "runtime/native_analyzer.h"

namespace egmf {
namespace {

using Clock = std::chrono::steady_clock;

/// Device-to-device copy bandwidth (read + write bytes / time), median of 5, in bytes/s.
double copyBandwidth(const at::TensorOptions& options) {
    const std::int64_t bytes = std::int64_t{1} << 30;
    auto source = at::empty({bytes}, options.dtype(at::kByte)).fill_(1);
    auto target = at::empty_like(source);
    target.copy_(source);  // warm up
    std::vector<double> rates;
    for (int i = 0; i < 5; ++i) {
        const auto start = Clock::now();
        target.copy_(source);
        rates.push_back(2.0 * static_cast<double>(bytes) / (bench::msSince(start, options.device()) / 1000.0));
    }
    return bench::median(rates);
}

}  // namespace

Result<LlmBenchReport> benchLlm(const LlmBenchOptions& o) {
    Manifest manifest = demoManifest();
    manifest.llm = bench::llmShape(o.shape);
    manifest.lora.reset();
    auto target = loading::modelTarget(manifest, {o.device, o.dtype});
    if (!target) return target.error();
    const auto options = at::TensorOptions().device(target->device).dtype(target->dtype);
    if (o.threads > 0) at::set_num_threads(o.threads);
    c10::InferenceMode inference;
    LlmBenchReport report;
    try {
        // The decoder with placeholder weights, then every weight made where it will live.
        std::map<std::string, std::vector<std::int64_t>> shapes;
        for (const auto& t : checkpoint::expectedTensors(manifest)) shapes[t.key] = t.shape;
        std::shared_ptr<model::CausalLmImpl> llm;
        {
            model::DeferredBaseWeights deferred;
            llm = model::makeCausalLm(manifest.llm, std::nullopt);
        }
        double weightBytes = 0, embeddingBytes = 0;
        for (auto& item : llm->named_parameters(true)) {
            const auto found = shapes.find("llm." + item.key());
            if (found == shapes.end()) return makeError(ErrorCode::Internal, "bench llm: no shape for " + item.key());
            auto& parameter = item.value();
            const bool norm = item.key().find("norm") != std::string::npos;
            parameter.set_data(norm ? at::ones(found->second, options) : at::randn(found->second, options).mul_(0.02));
            const double bytes = static_cast<double>(parameter.numel()) * static_cast<double>(parameter.element_size());
            weightBytes += bytes;
            if (item.key() == "model.embed_tokens.weight" || item.key() == "transformer.embedding.word_embeddings.weight")
                embeddingBytes = bytes;
        }
        llm->eval();
        const auto& l = manifest.llm;
        report.configuration = o.shape + (l.isChatGlm() ? " ChatGLM shape (" : " Llama shape (") + std::to_string(l.numHiddenLayers) +
                               " layers, d=" + std::to_string(l.hiddenSize) + ", GQA " + std::to_string(l.numAttentionHeads) + "/" +
                               std::to_string(l.numKeyValueHeads) + ", vocab " + std::to_string(l.vocabSize) + "), random " + o.dtype +
                               " weights on " + target->device.str();
        report.weightBytes = weightBytes;

        // Prefill, then greedy decoding (no EOS): every step reads all weights but the embedding
        // table (one row; a tied table is read whole as lm_head), plus the KV cache so far.
        const auto ids = at::randint(l.vocabSize, {o.promptTokens}, at::TensorOptions().dtype(at::kLong).device(target->device));
        std::vector<double> prefill, perToken;
        for (int run = 0; run <= o.repeats; ++run) {
            auto start = Clock::now();
            const auto prompt = model::runPrompt(*llm, llm->embed(ids));
            const double prefillMs = bench::msSince(start, target->device);
            start = Clock::now();
            const auto generated = model::generateGreedy(*llm, prompt, o.newTokens, -1);
            const double decodeMs = bench::msSince(start, target->device);
            if (run == 0) continue;  // warm-up
            prefill.push_back(prefillMs);
            perToken.push_back(decodeMs / static_cast<double>(std::max<std::size_t>(1, generated.size() - 1)));
        }
        report.prefillMs = bench::median(prefill);
        report.msPerToken = bench::median(perToken);
        const double element = static_cast<double>(at::elementSize(target->dtype));
        const double kvBytes = 2.0 * static_cast<double>(l.numHiddenLayers * l.numKeyValueHeads * l.effectiveHeadDim()) *
                               (o.promptTokens + o.newTokens / 2.0) * element;
        report.bytesPerToken = weightBytes - (l.tieWordEmbeddings ? 0.0 : embeddingBytes) + kvBytes;
        report.bandwidthBytesPerSecond = o.bandwidthGBs > 0 ? o.bandwidthGBs * 1e9 : copyBandwidth(options);
        report.bandwidthMeasured = o.bandwidthGBs <= 0;
        report.floorMsPerToken = report.bytesPerToken / report.bandwidthBytesPerSecond * 1000.0;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument, "bench llm on " + o.device + ": " + exceptionText(e));
    }
    return report;
}

}  // namespace egmf
