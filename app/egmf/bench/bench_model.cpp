// egmf bench model: the engine against the Python reference, side by side (egmf/bench/benchmarks.h).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addBenchCommand(CLI::App& app) {
    auto* bench = app.add_subcommand(
        "bench", "Benchmarks: `egmf bench all | model | llm | decode | engine | load | tokenizer | serve | ranks | lora`");
    bench->require_subcommand(1);
    auto* model = bench->add_subcommand("model",
                                        "Median latency per utterance of the engine and of the Python PyTorch reference "
                                        "on the same weights, inputs and threads, per stage");
    auto options = std::make_shared<ModelBenchOptions>();
    model->add_option("--utterances", options->utterances, "Utterances in the dialogue")->check(CLI::Range(1, 1000))->capture_default_str();
    model->add_option("--repeats", options->repeats, "Timed runs of the whole dialogue")->check(CLI::Range(1, 1000))->capture_default_str();
    model->add_option("--threads", options->threads, "Intra-op threads (0: all cores)")->check(CLI::Range(0, 256))->capture_default_str();
    model->add_option("--seed", options->seed, "Seed of weights and inputs")->capture_default_str();
    model->add_option("--python", options->python, "Python with PyTorch for the reference (default: $EGMF_PYTHON or /usr/bin/python3)");
    model->add_option("--device", options->device, "cpu, cuda or cuda:N (both sides)")->capture_default_str();
    model->add_option("--dtype", options->dtype, "Weights and activations")
        ->check(CLI::IsMember({"float32", "float16", "bfloat16"}))
        ->capture_default_str();
    model->add_option("--work-dir", options->workDir, "Keep the checkpoint and inputs here");
    model->add_option("--checkpoint", options->checkpoint,
                      "Time this native checkpoint folder (e.g. the bundled demo-erc) instead of random weights");
    auto noReference = std::make_shared<bool>(false);
    model->add_flag("--no-reference", *noReference, "Time the engine only");

    auto runModel = [options, noReference]() {
        options->withReference = !*noReference;
        auto report = benchModel(*options);
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        std::printf("egmf bench model: %d utterances, %d timed runs, %d threads\n", report->utterances, options->repeats, report->threads);
        std::printf("model: %s\n\n", report->configuration.c_str());
        std::printf("%-10s %12s %15s %8s\n", "stage", "engine ms", "reference ms", "ratio");
        auto row = [](const char* name, double engine, double reference) {
            if (reference >= 0) {
                std::printf("%-10s %12.3f %15.3f %7.2fx\n", name, engine, reference, engine > 0 ? reference / engine : 0.0);
            } else {
                std::printf("%-10s %12.3f %15s %8s\n", name, engine, "-", "-");
            }
        };
        for (const auto& stage : report->stages) {
            row(stage.stage.c_str(), stage.engineMs, stage.referenceMs);
        }
        row("total", report->engineMedianMs, report->referenceMedianMs);
        std::printf("\nmedian per utterance; ratio = reference / engine (> 1: the engine is faster)\n");
        if (!report->referenceNote.empty()) {
            std::printf("reference: %s\n", report->referenceNote.c_str());
        }
        return 0;
    };
    std::vector<std::pair<CLI::App*, Command>> others;
    others.emplace_back(nullptr, addTokenizerBench(*bench));
    others.back().first = bench->get_subcommand("tokenizer");
    others.emplace_back(nullptr, addLlmBench(*bench));
    others.back().first = bench->get_subcommand("llm");
    others.emplace_back(nullptr, addLoraBench(*bench));
    others.back().first = bench->get_subcommand("lora");
#ifdef EGMF_WITH_MEDIA  // the model-only build has no FFmpeg
    others.emplace_back(nullptr, addDecodeBench(*bench));
    others.back().first = bench->get_subcommand("decode");
    others.emplace_back(nullptr, addEngineBench(*bench));
    others.back().first = bench->get_subcommand("engine");
    others.emplace_back(nullptr, addAllBench(*bench));
    others.back().first = bench->get_subcommand("all");
    others.emplace_back(nullptr, addRanksBench(*bench));
    others.back().first = bench->get_subcommand("ranks");
#endif
#if defined(EGMF_WITH_MEDIA) && defined(EGMF_WITH_PLUGINS)  // archives need libzip; plugins Qt Core
    others.emplace_back(nullptr, addLoadBench(*bench));
    others.back().first = bench->get_subcommand("load");
#endif
#ifdef EGMF_WITH_REMOTE
    others.emplace_back(nullptr, addServeBench(*bench));
    others.back().first = bench->get_subcommand("serve");
#endif
    return [bench, model, runModel, others]() {
        if (bench->got_subcommand(model)) return runModel();
        for (const auto& [sub, run] : others) {
            if (bench->got_subcommand(sub)) return run();
        }
        return 2;
    };
}

}  // namespace egmf::cli
