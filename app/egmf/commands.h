#pragma once
// The `egmf` subcommands. Each registers itself on the CLI11 app and returns the exit code when
// run: 0 ok, 1 some items failed, 2 bad usage or input. Errors go to stderr as
// "error: <file>: <what is wrong and what to do>".

#include <functional>

#include <CLI/CLI.hpp>

namespace egmf::cli {

using Command = std::function<int()>;

Command addBenchCommand(CLI::App& app);
Command addInspectCheckpointCommand(CLI::App& app);
Command addTokenizeCommand(CLI::App& app);
Command addDatasetCommand(CLI::App& app);
Command addEvalCommand(CLI::App& app);
Command addAnalyzeCommand(CLI::App& app);
Command addExportCommand(CLI::App& app);
/// Adds `bench tokenizer` under `bench`.
Command addTokenizerBench(CLI::App& bench);
/// `egmf features` (builds with FFmpeg only).
Command addFeaturesCommand(CLI::App& app);
/// Adds `bench decode` under `bench` (builds with FFmpeg only).
Command addDecodeBench(CLI::App& bench);
/// `egmf ablation`.
Command addAblationCommand(CLI::App& app);
/// `egmf train`.
Command addTrainCommand(CLI::App& app);
/// `egmf bundle show|merge` (builds with SQLite only: not the model-only build).
Command addBundleCommand(CLI::App& app);
/// `egmf cluster slurm`: an sbatch script for analyze or train.
Command addClusterCommand(CLI::App& app);
/// `egmf make-demo` (builds with OpenCV only).
Command addMakeDemoCommand(CLI::App& app);
/// `egmf plugins` and the hidden `egmf plugin-probe FILE` (builds with Qt Core only).
Command addPluginsCommand(CLI::App& app);
Command addPluginProbeCommand(CLI::App& app);
/// Adds `bench load` under `bench` (builds with the plugins and libzip only).
Command addLoadBench(CLI::App& bench);
/// Adds `bench engine` under `bench` (builds with FFmpeg only).
Command addEngineBench(CLI::App& bench);
Command addAllBench(CLI::App& bench);
/// `bench ranks`: one rank against two (builds with FFmpeg and SQLite only).
Command addRanksBench(CLI::App& bench);
/// `egmf serve` and `bench serve` (builds with the remote engine only).
Command addServeCommand(CLI::App& app);
Command addServeBench(CLI::App& bench);
Command addLlmBench(CLI::App& bench);
Command addLoraBench(CLI::App& bench);

}  // namespace egmf::cli
