// egmf bench lora: a LoRA training step in bfloat16 on a Llama-shaped base, against the same step
// in float32 (egmf/bench/benchmarks.h). Builds everywhere, the model-only GPU build included.
#include <cmath>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addLoraBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("lora",
                                         "A LoRA training step on a real model's base shape in bfloat16 (autocast, checkpointed layers): "
                                         "time, tokens/s, peak memory, loss against float32");
    auto o = std::make_shared<LoraBenchOptions>();
    command->add_option("--shape", o->shape, bench::kLlmShapeHelp)->check(CLI::IsMember(bench::kLlmShapeNames))->capture_default_str();
    command->add_option("--device", o->device, "cuda, cuda:N or cpu")->capture_default_str();
    command->add_option("--tokens", o->tokens, "Tokens a step (one sequence)")->check(CLI::Range(2, 32768))->capture_default_str();
    command->add_option("--repeats", o->repeats, "Timed steps after one warm-up")->check(CLI::Range(1, 100))->capture_default_str();
    command->add_option("--threads", o->threads, "CPU threads (0: LibTorch's default)")->capture_default_str();
    command->add_flag("!--no-float32", o->compareFloat32, "Skip the float32 step (it needs the base's weights in float32)");
    return [o]() {
        auto r = benchLora(*o);
        if (!r) {
            std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
            return 2;
        }
        std::printf("egmf bench lora: %s\n%d timed steps after a warm-up (medians)\n\n", r->configuration.c_str(), o->repeats);
        std::printf("base weights             %10.2f GB (bfloat16)\n", r->baseBytes / 1e9);
        std::printf("adapter parameters       %10.0f\n", r->adapterParameters);
        std::printf("step                     %10.1f ms\n", r->stepMs);
        std::printf("tokens per second        %10.1f\n", r->tokensPerSecond);
        std::printf("peak memory              %10.2f GB (%s)\n", r->peakBytes / 1e9, r->peakSource.c_str());
        std::printf("first step's loss        %10.5f (bfloat16 autocast)\n", r->bfloat16Loss);
        if (r->float32Loss > 0) {
            std::printf("the same step, float32   %10.5f (difference %.2e, %.3f %%)\n", r->float32Loss, r->bfloat16Loss - r->float32Loss,
                        100.0 * std::abs(r->bfloat16Loss - r->float32Loss) / r->float32Loss);
        }
        return 0;
    };
}

}  // namespace egmf::cli
