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
    int repeats = 5;  ///< whole-dialogue runs; medians are taken over them
    int threads = 0;  ///< 0: all cores
    std::uint64_t seed = 1;
    bool withReference = true;      ///< also time the Python reference
    std::string python;             ///< empty: runtime::referencePython()
    std::string device = "cpu";     ///< both sides run here ("cuda" on a GPU machine)
    std::string dtype = "float32";  ///< float32 | float16 | bfloat16
    std::filesystem::path workDir;  ///< empty: a temporary folder
    /// A native checkpoint folder to time (a trained model answers with label words); empty: a
    /// random demo-size checkpoint made from `seed`.
    std::filesystem::path checkpoint;
};

struct StageMedians {
    std::string stage;
    double engineMs = 0;
    double referenceMs = 0;  ///< < 0 when the reference did not run
};

struct ModelBenchReport {
    std::string configuration;  ///< e.g. "d=256, LLM 4 layers d_llm=256, ..."
    int threads = 0;
    int utterances = 0;
    double engineMedianMs = 0;  ///< median per-utterance latency
    double referenceMedianMs = -1;
    std::vector<StageMedians> stages;
    std::string referenceNote;  ///< why the reference did not run, when it did not
};

Result<ModelBenchReport> benchModel(const ModelBenchOptions& options);

/// `egmf bench decode`: on a clip made by ffmpeg (testsrc2 with a real face laid over it, a tone),
/// all on one thread and medians over interleaved runs:
///   - the ffmpeg CLI converting every frame to RGB (`ffmpeg -threads 1 -filter_threads 1 -i clip
///     -an -pix_fmt rgb24 -f null -`), the yardstick;
///   - our decoder doing the same;
///   - our whole feature extraction (decode, log-mel, faces at 4 fps: detection, crop, expression
///     network), the goal being <= 1.2x the CLI;
///   - audio: decoding to 16 kHz mono, and the log-mel (+ prosody) per second of audio.
struct DecodeBenchOptions {
    int width = 1280, height = 720;
    double seconds = 5.0;
    int repeats = 5;
    std::filesystem::path workDir;  ///< empty: a temporary folder
};

struct DecodeBenchReport {
    int frames = 0;
    double oursMedianMs = 0, cliMedianMs = 0;  ///< video: decode + RGB conversion, all frames
    double audioMedianMs = 0;                  ///< audio only: decode + resample to 16 kHz mono
    double clipSeconds = 0;
    double featuresMedianMs = 0;  ///< decode + log-mel + faces (detect, crop, network)
    double featureDecodeMs = 0, featureAudioMs = 0, featureCropMs = 0, featureNetworkMs = 0;  ///< its parts
    int faceFrames = 0, facesFound = 0;
    double logMelMsPerAudioSecond = 0, prosodyMsPerAudioSecond = 0;
};

Result<DecodeBenchReport> benchDecode(const DecodeBenchOptions& options);

/// `egmf bench engine`: the background Engine as the Studio and `egmf analyze` drive it, on the
/// demo-size model (random weights) and clips made by ffmpeg + espeak-ng (speech over a moving
/// 720p picture with a face, like MELD's), features decoded afresh every time (no cache). For each
/// thread count: analyse-dialogue throughput (dialogues/s; per-utterance wall time split into
/// clip features and model) and the time from submitting one utterance to its result (what a
/// click in the Studio waits for). Goal: a 3.6 s utterance in <= 0.36 s.
struct EngineBenchOptions {
    int utterances = 6;  ///< per dialogue
    int repeats = 3;     ///< timed runs per thread count (medians)
    double clipSeconds = 3.6;
    int width = 1280, height = 720;
    std::vector<int> threads{1, 2};
    std::filesystem::path workDir;  ///< empty: a temporary folder
};

struct EngineBenchRow {
    int threads = 0;
    double dialoguesPerSecond = 0;
    double utteranceMs = 0;    ///< dialogue wall time / utterances
    double featuresMs = 0;     ///< median per utterance: decode + log-mel + faces
    double modelMs = 0;        ///< median per utterance: the model's stages
    double firstResultMs = 0;  ///< submit -> result of a one-utterance job
};

struct EngineBenchReport {
    std::string configuration;
    double clipSeconds = 0;
    int utterances = 0;
    std::vector<EngineBenchRow> rows;
};

Result<EngineBenchReport> benchEngine(const EngineBenchOptions& options);

/// `egmf bench llm`: greedy decoding of a Llama-shaped decoder (7B: Llama-2-7B's shape; 1b:
/// Llama-3.2-1B's; tiny) with random weights made on the device, in ms per generated token against
/// the memory-bandwidth floor (every weight read once per token, plus the KV cache; the bandwidth
/// measured by a 1 GiB device copy, or given). Goal on a GPU: >= 60% of the bandwidth.
struct LlmBenchOptions {
    std::string shape = "7b";  ///< 7b | 1b | tiny
    std::string device = "cuda";
    std::string dtype = "bfloat16";
    int promptTokens = 512;
    int newTokens = 64;
    int repeats = 3;
    int threads = 0;          ///< CPU intra-op threads; 0: LibTorch's default
    double bandwidthGBs = 0;  ///< 0: measure it
};

struct LlmBenchReport {
    std::string configuration;
    double weightBytes = 0, bytesPerToken = 0;
    double prefillMs = 0, msPerToken = 0;  ///< medians
    double bandwidthBytesPerSecond = 0;
    bool bandwidthMeasured = true;
    double floorMsPerToken = 0;  ///< bytesPerToken / bandwidth
    double fractionOfBandwidth() const { return msPerToken > 0 ? floorMsPerToken / msPerToken : 0; }
};

Result<LlmBenchReport> benchLlm(const LlmBenchOptions& options);

/// `egmf bench lora`: one LoRA training step of a Llama-shaped decoder (7b: Llama-2-7B's shape)
/// with random weights made on the device, the base frozen in bfloat16, the adapter (q, v: PEFT's
/// default for Llama) in float32, the pass under bfloat16 autocast with activation checkpointing:
/// as `egmf train --dtype bfloat16` trains on a GPU. Reports the step's time and tokens per
/// second (medians), the peak memory (the device's allocator on CUDA, the process's RSS on the
/// CPU), and the first step's loss against the same step in float32 (the weights widened).
struct LoraBenchOptions {
    std::string shape = "7b";  ///< 7b | 1b | tiny
    std::string device = "cuda";
    int tokens = 512;  ///< one sequence
    int repeats = 3;
    int threads = 0;
    bool compareFloat32 = true;  ///< also the float32 step (a 7B: 27 GB of weights)
};

struct LoraBenchReport {
    std::string configuration;
    double baseBytes = 0, adapterParameters = 0;
    double stepMs = 0, tokensPerSecond = 0;
    double peakBytes = 0;
    std::string peakSource;
    double bfloat16Loss = 0, float32Loss = 0;  ///< float32Loss 0: not compared
};

Result<LoraBenchReport> benchLora(const LoraBenchOptions& options);

/// `egmf bench serve`: the remote engine against the local one on localhost, same checkpoint, same
/// dialogues, same threads, runs alternated: the latency per utterance of a whole dialogue each way
/// (goal: remote adds at most 10% or 5 ms, whichever is larger), and the throughput of one client
/// against two submitting at once to one server. Built with the remote engine only.
struct ServeBenchOptions {
    int utterances = 6;  ///< per dialogue
    int repeats = 10;    ///< timed dialogues each way
    int threads = 0;     ///< the engines' intra-op threads (0: every core)
    int dialoguesPerClient = 6;
    std::filesystem::path workDir;
};

struct ServeBenchReport {
    std::string configuration;
    double localMsPerUtterance = 0, remoteMsPerUtterance = 0;  ///< medians
    double oneClientDialoguesPerSecond = 0, twoClientsDialoguesPerSecond = 0;
    double roundTripMs = 0;  ///< a Health call's median
};

Result<ServeBenchReport> benchServe(const ServeBenchOptions& options);

}  // namespace egmf
