// `egmf bench model` (egmf/bench/benchmarks.h). Both sides run the same checkpoint on the same inputs with the
// same number of intra-op threads; each is warmed up once, then timed over whole dialogues.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "egmf/checkpoint.h"
#include "reference_io.h"
#include "runtime/native_analyzer.h"
#include "synthetic_dialogue.h"

namespace egmf {
namespace {

const char* const kStages[] = {"encode", "fusion", "context", "enhance", "prompt", "generate", "score"};

std::vector<double> stageValues(const StageTimings& t) {
    return {t.encodeMs, t.fusionMs, t.contextMs, t.enhanceMs, t.promptMs, t.generateMs, t.scoreMs};
}

}  // namespace

Result<ModelBenchReport> benchModel(const ModelBenchOptions& options) {
    ModelBenchReport report;
    report.threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    report.utterances = options.utterances;
    at::set_num_threads(report.threads);

    auto work = bench::WorkDir::create(options.workDir, "egmf-bench");
    if (!work) {
        return work.error();
    }
    const auto& workDir = work->path();
    // A trained checkpoint (--checkpoint) answers with label words, as users' models do; the
    // random demo-size one (the default) generates arbitrary tokens.
    const bool own = !options.checkpoint.empty();
    const auto checkpointDir = own ? options.checkpoint : workDir / "checkpoint";
    if (!own) {
        if (auto made = createRandomCheckpoint(checkpointDir, demoManifest(), options.seed); !made) {
            return made.error();
        }
    }
    auto analyzer = loadNativeCheckpoint(checkpointDir, {options.device, options.dtype});
    if (!analyzer) {
        return analyzer.error();
    }
    const Manifest& manifest = (*analyzer)->manifest();
    report.configuration = options.device + " " + options.dtype + ", " +
                           (own ? checkpointDir.filename().string() + " (trained)" : std::string("random weights")) +
                           ", d=" + std::to_string(manifest.fusionDim) + ", LLM " + std::to_string(manifest.llm.numHiddenLayers) +
                           " layers d_llm=" + std::to_string(manifest.llm.hiddenSize) + " (GQA " +
                           std::to_string(manifest.llm.numAttentionHeads) + "/" + std::to_string(manifest.llm.numKeyValueHeads) +
                           "), LoRA r=" + std::to_string(manifest.lora ? manifest.lora->rank : 0) + ", " + manifest.tokenizer.kind +
                           " tokenizer, " + std::to_string(manifest.labels.size()) + " labels scored";
    const auto dialogue = bench::syntheticDialogue(manifest, options.utterances, options.seed);
    AnalyzeOptions analyzeOptions;
    std::atomic<bool> cancel{false};

    std::vector<std::vector<double>> perStage(std::size(kStages));
    std::vector<double> totals;
    for (int run = 0; run <= options.repeats; ++run) {  // run 0 warms up
        auto result = (*analyzer)->analyzeDialogue(dialogue, analyzeOptions, cancel);
        if (!result) {
            return result.error();
        }
        for (const auto& u : result->utterances) {
            if (!u.error.empty()) {
                return makeError(ErrorCode::Internal, u.error);
            }
            if (run == 0) {
                continue;
            }
            const auto values = stageValues(u.timings);
            for (std::size_t s = 0; s < values.size(); ++s) {
                perStage[s].push_back(values[s]);
            }
            totals.push_back(u.timings.totalMs());
        }
    }
    report.engineMedianMs = bench::median(totals);
    for (std::size_t s = 0; s < std::size(kStages); ++s) {
        report.stages.push_back({kStages[s], bench::median(perStage[s]), -1});
    }

    if (!options.withReference) {
        report.referenceNote = "reference not run (--no-reference)";
        return report;
    }
    auto& native = dynamic_cast<runtime::NativeAnalyzer&>(**analyzer);
    runtime::EgmfRunner runner(native.model(), native.tokenizer());
    const auto inputsPath = workDir / "inputs.safetensors";
    if (auto written = runtime::writeReferenceInputs(inputsPath, runner, dialogue, analyzeOptions, manifest.prompt.maxNewTokens);
        !written) {
        return written.error();
    }
    auto output = runtime::runReference(
        options.python.empty() ? runtime::referencePython() : options.python,
        {"bench", "--checkpoint", checkpointDir.string(), "--inputs", inputsPath.string(), "--repeats", std::to_string(options.repeats),
         "--threads", std::to_string(report.threads), "--device", options.device, "--dtype", options.dtype});
    if (!output) {
        report.referenceNote = output.error().message;
        return report;
    }
    const auto lastLine = output->substr(output->find_last_of('\n', output->size() - 2) + 1);
    const auto json = nlohmann::json::parse(lastLine, nullptr, false);
    if (json.is_discarded() || !json.contains("total_ms")) {
        report.referenceNote = "the reference printed no timings:\n" + *output;
        return report;
    }
    report.referenceMedianMs = json["total_ms"].get<double>();
    for (auto& stage : report.stages) {
        stage.referenceMs = json["stages"].value(stage.stage, -1.0);
    }
    return report;
}

}  // namespace egmf
