// The one rule for where a model goes and whether it fits (egmf/checkpoint.h).

#include <cstdlib>

#include <ATen/Context.h>

#include "egmf/checkpoint.h"
#include "memory_budget.h"

namespace egmf {

std::int64_t estimateLoadedBytes(const Manifest& m, const std::string& dtype) {
    const auto& l = m.llm;
    const std::int64_t head = l.effectiveHeadDim();
    const std::int64_t attention = l.hiddenSize * head * (l.numAttentionHeads * 2 + l.numKeyValueHeads * 2);
    const std::int64_t mlp = 3 * l.hiddenSize * l.intermediateSize;
    const std::int64_t embeddings = l.vocabSize * l.hiddenSize * (l.tieWordEmbeddings ? 1 : 2);
    const std::int64_t fusion = 64 * m.fusionDim * m.fusionDim;  // encoders, attention, experts, gates: generous
    const std::int64_t parameters = embeddings + l.numHiddenLayers * (attention + mlp) + fusion;
    const std::int64_t bytesPerValue = dtype == "float32" ? 4 : 2;
    // Weights once in memory, plus working memory (activations, KV cache, the loader's copy).
    return parameters * bytesPerValue * 3 / 2 + (256LL << 20);
}

LoadOptions resolveLoadOptions(const Manifest& manifest, LoadOptions options) {
    if (options.device == "auto") options.device = at::hasCUDA() ? "cuda" : "cpu";
    if (options.dtype == "auto") {
        // A GPU computes in the weights' own dtype; the CPU in float32, whose half-precision
        // kernels are slow and lose accuracy (bfloat16 stays available by asking for it).
        options.dtype = options.device.rfind("cuda", 0) == 0 ? manifest.llm.torchDtype : "float32";
    }
    return options;
}

Result<void> checkLoadFits(const Manifest& manifest, LoadOptions& options, const std::string& where) {
    options = resolveLoadOptions(manifest, options);
    const auto needed = estimateLoadedBytes(manifest, options.dtype);
    if (options.device == "cpu") {
        const std::string advice = options.dtype == "float32" ? "use a GPU, --dtype bfloat16 (half the memory) or a smaller model"
                                                              : "use a GPU or a smaller model";
        return loading::checkFits(needed, loading::physicalMemoryBytes(), where, "this machine's memory", advice);
    }
    if (options.device.rfind("cuda", 0) == 0) {
        const auto colon = options.device.find(':');
        const int index = colon == std::string::npos ? 0 : std::atoi(options.device.c_str() + colon + 1);
        if (const auto free = loading::freeGpuMemoryBytes(index)) {
            return loading::checkFits(needed, *free, where, "the free memory of " + options.device,
                                      "free the GPU, use --dtype bfloat16 or a smaller model");
        }
    }
    return {};
}

}  // namespace egmf
