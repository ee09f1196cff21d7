// egmf bench llm: ms per generated token of a Llama-shaped decoder against the bandwidth floor
// (egmf/bench/benchmarks.h). Builds everywhere, the model-only GPU build included.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addLlmBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("llm",
                                         "Greedy decoding of a real model's decoder shape with random weights: ms per token "
                                         "against the memory-bandwidth floor");
    auto o = std::make_shared<LlmBenchOptions>();
    command->add_option("--shape", o->shape, bench::kLlmShapeHelp)->check(CLI::IsMember(bench::kLlmShapeNames))->capture_default_str();
    command->add_option("--device", o->device, "cuda, cuda:N or cpu")->capture_default_str();
    command->add_option("--dtype", o->dtype)->check(CLI::IsMember({"float32", "float16", "bfloat16"}))->capture_default_str();
    command->add_option("--prompt-tokens", o->promptTokens)->check(CLI::Range(1, 32768))->capture_default_str();
    command->add_option("--new-tokens", o->newTokens)->check(CLI::Range(2, 4096))->capture_default_str();
    command->add_option("--repeats", o->repeats)->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--threads", o->threads, "CPU threads (0: LibTorch's default)")->capture_default_str();
    command->add_option("--bandwidth", o->bandwidthGBs, "Memory bandwidth in GB/s (default: measured by a 1 GiB copy)");
    return [o]() {
        auto r = benchLlm(*o);
        if (!r) {
            std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
            return 2;
        }
        std::printf("egmf bench llm: %s\n", r->configuration.c_str());
        std::printf("prompt %d tokens, %d generated, %d timed runs (medians)\n\n", o->promptTokens, o->newTokens, o->repeats);
        std::printf("weights                  %10.2f GB\n", r->weightBytes / 1e9);
        std::printf("read per token           %10.2f GB (weights but the embedding rows, + KV cache)\n", r->bytesPerToken / 1e9);
        std::printf("bandwidth                %10.1f GB/s (%s)\n", r->bandwidthBytesPerSecond / 1e9,
                    r->bandwidthMeasured ? "measured: 1 GiB copy, read + write" : "given");
        std::printf("prefill                  %10.2f ms\n", r->prefillMs);
        std::printf("ms per generated token   %10.3f\n", r->msPerToken);
        std::printf("bandwidth floor          %10.3f ms per token\n", r->floorMsPerToken);
        std::printf("fraction of bandwidth    %10.1f %%  (goal on a GPU: >= 60 %%)\n", 100.0 * r->fractionOfBandwidth());
        return 0;
    };
}

}  // namespace egmf::cli
