#pragma once
// `egmf bench model`: the engine against the same model in Python PyTorch (tools/reference),
// on the same weights, inputs and thread count, measured in one run (ratios, medians).

#include <filesystem>
#include <string>
#include <vector>

#include "egmf/analysis.h"
#include "egmf/result.h"

namespace egmf {

struct ModelBenchOptions {
    int utterances = 10;
    int repeats = 5;           ///< whole-dialogue runs; medians are taken over them
    int threads = 0;           ///< 0: all cores
    std::uint64_t seed = 1;
    bool withReference = true;  ///< also time the Python reference
    std::string python;             ///< empty: runtime::referencePython()
    std::string device = "cpu";     ///< both sides run here ("cuda" on a GPU machine)
    std::string dtype = "float32";  ///< float32 | float16 | bfloat16
    std::filesystem::path workDir;  ///< empty: a temporary folder
};

struct StageMedians {
    std::string stage;
    double engineMs = 0;
    double referenceMs = 0;  ///< < 0 when the reference did not run
};

struct ModelBenchReport {
    std::string configuration;     ///< e.g. "d=256, LLM 4 layers d_llm=256, ..."
    int threads = 0;
    int utterances = 0;
    double engineMedianMs = 0;     ///< median per-utterance latency
    double referenceMedianMs = -1;
    std::vector<StageMedians> stages;
    std::string referenceNote;     ///< why the reference did not run, when it did not
};

Result<ModelBenchReport> benchModel(const ModelBenchOptions& options);

}  // namespace egmf
