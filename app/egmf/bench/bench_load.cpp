// egmf bench load [--work-dir DIR] [--skip-large]: load time and peak memory of each plugin's
// checkpoint, each load in a fresh process (`egmf bench load --measure PATH --dtype D`, peak RSS is
// per process): the bundled native folder, the same as a .egmf archive, the random-weight example,
// the same model in the Hugging Face layout, and a synthetic 1B-parameter bf16 Llama (Llama-3.2-1B's
// shape, three shards + index, with a PEFT adapter) written here. For that one it also times
// reading its files once, from the page cache and (as root, after dropping the caches) from disk:
// a mapped bf16 load must cost far less than that read, a float32 load about one read plus the
// conversion (each byte read once, not copied twice).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checkpoint_loading.h"
#include "commands.h"
#include "egmf/app/expected_tensors.h"
#include "egmf/app/process.h"
#include "egmf/app/safetensors.h"
#include "egmf/bench/bench_support.h"
#include "egmf/checkpoint_archive.h"
#include "egmf/huggingface.h"
#include "egmf/paths.h"

namespace egmf::cli {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

using bench::peakRssMiB;
using bench::secondsSince;

/// The child: one load, as JSON on stdout.
int measure(const std::string& path, const std::string& dtype, const std::vector<std::string>& pluginDirs) {
    const double before = peakRssMiB();
    const auto start = Clock::now();
    std::string plugin;
    auto analyzer = openCheckpoint({path, pluginDirs}, {"cpu", dtype}, &plugin);
    const double seconds = secondsSince(start);
    if (!analyzer) {
        std::printf("%s\n", json{{"error", analyzer.error().message}}.dump().c_str());
        return 2;
    }
    std::printf("%s\n",
                json{{"plugin", plugin}, {"seconds", seconds}, {"peak_rss_mib", peakRssMiB()}, {"rss_before_mib", before}}.dump().c_str());
    return 0;
}

std::uint64_t bytesUnder(const fs::path& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
    std::uint64_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
}

/// Llama-3.2-1B's shape with bf16 weights of one small value (loading does not look at values),
/// a rank-16 PEFT adapter on q/v, the demo's fusion weights shape and tokenizer.
Result<void> writeSyntheticHuggingFace(const fs::path& out, const fs::path& demo) {
    auto manifest = readManifest(demo);
    if (!manifest) return manifest.error();
    auto& llm = manifest->llm;
    llm.modelType = "llama";
    llm.vocabSize = 128256, llm.hiddenSize = 2048, llm.intermediateSize = 8192, llm.numHiddenLayers = 16;
    llm.numAttentionHeads = 32, llm.numKeyValueHeads = 8, llm.headDim = 64, llm.ropeTheta = 500000.0, llm.tieWordEmbeddings = true;
    llm.torchDtype = "bfloat16";
    manifest->lora = LoraConfig{};
    manifest->huggingFace = HuggingFaceParts{"base", "adapter", "fusion.safetensors"};
    fs::create_directories(out / "base");
    fs::create_directories(out / "adapter");
    std::ofstream(out / "base" / "config.json") << serializeLlmConfig(llm);
    fs::copy_file(demo / manifest->tokenizer.file, out / "base" / "tokenizer.model", fs::copy_options::overwrite_existing);
    std::ofstream(out / "manifest.json") << serializeManifest(*manifest);

    const auto expected = checkpoint::expectedTensors(*manifest);
    std::int64_t largest = 0;
    for (const auto& t : expected) {
        std::int64_t n = 1;
        for (auto d : t.shape) n *= d;
        largest = std::max(largest, n);
    }
    std::vector<std::uint16_t> bf16(static_cast<std::size_t>(largest), 0x3C24);  // 0.01 in bfloat16
    std::vector<float> f32(static_cast<std::size_t>(largest), 0.01f);
    std::vector<std::vector<checkpoint::TensorToWrite>> shards(1);
    std::vector<checkpoint::TensorToWrite> adapter, fusion;
    std::uint64_t shardBytes = 0;
    json weightMap = json::object();
    for (const auto& t : expected) {
        std::int64_t n = 1;
        for (auto d : t.shape) n *= d;
        const auto count = static_cast<std::size_t>(n);
        if (t.key.starts_with("llm.")) {
            if (shardBytes + count * 2 > (1ULL << 30) && !shards.back().empty()) shards.emplace_back(), shardBytes = 0;
            shards.back().push_back(
                {t.key.substr(4), checkpoint::DType::BF16, t.shape, {reinterpret_cast<const std::byte*>(bf16.data()), count * 2}});
            shardBytes += count * 2;
        } else {
            auto& part = t.key.starts_with("lora.") ? adapter : fusion;
            const auto name = t.key.starts_with("lora.") ? "base_model.model." + t.key.substr(5) : t.key;
            part.push_back({name, checkpoint::DType::F32, t.shape, {reinterpret_cast<const std::byte*>(f32.data()), count * 4}});
        }
    }
    for (std::size_t i = 0; i < shards.size(); ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
        for (const auto& t : shards[i]) weightMap[t.name] = name;
        if (auto written = checkpoint::writeSafetensors(out / "base" / name, shards[i], {{"format", "pt"}}); !written) return written;
    }
    std::ofstream(out / "base" / "model.safetensors.index.json") << json{{"metadata", json::object()}, {"weight_map", weightMap}}.dump(1);
    if (auto written = checkpoint::writeSafetensors(out / "adapter" / "adapter_model.safetensors", adapter); !written) return written;
    std::ofstream(out / "adapter" / "adapter_config.json")
        << json{{"peft_type", "LORA"}, {"r", 16}, {"lora_alpha", 16}, {"target_modules", {"q_proj", "v_proj"}}}.dump();
    return checkpoint::writeSafetensors(out / "fusion.safetensors", fusion);
}

bool dropPageCache() {
    ::sync();
    std::ofstream drop("/proc/sys/vm/drop_caches");
    drop << "3\n";
    return static_cast<bool>(drop);
}

/// Seconds to read every file under `folder` once, in 16 MiB reads.
double readOnce(const fs::path& folder) {
    std::vector<char> buffer(16 << 20);
    const auto start = Clock::now();
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {}
    }
    return secondsSince(start);
}

/// Seconds to fault in `bytes` of fresh memory (the kernel zeroes every page): the floor of any load
/// that makes new tensors, which a virtual machine makes dear.
double freshMemorySeconds(std::size_t bytes) {
    const auto start = Clock::now();
    std::vector<char> memory(bytes);
    for (std::size_t i = 0; i < bytes; i += 4096) memory[i] = 1;
    return secondsSince(start);
}

struct Case {
    std::string name, path, dtype;
    bool cold = false;  ///< drop the page cache first
    int repeats = 3;    ///< the median is shown
};

}  // namespace

Command addLoadBench(CLI::App& bench) {
    auto* load = bench.add_subcommand("load", "Load time and peak memory of each plugin's checkpoint (a fresh process per load)");
    struct Options {
        std::string workDir, measurePath, dtype = "float32";
        std::vector<std::string> pluginDirs;
        bool skipLarge = false;
    };
    auto o = std::make_shared<Options>();
    load->add_option("--work-dir", o->workDir, "Where the checkpoints are written (default: a temporary folder, removed after)");
    load->add_flag("--skip-large", o->skipLarge, "Leave out the synthetic 1B-parameter model (2.5 GB)");
    load->add_option("--plugin-dir", o->pluginDirs, "More plugin folders");
    load->add_option("--measure", o->measurePath)->group("");
    load->add_option("--dtype", o->dtype)->group("");
    return [o]() {
        if (!o->measurePath.empty()) return measure(o->measurePath, o->dtype, o->pluginDirs);
        auto workDir = bench::WorkDir::create(o->workDir, "egmf-bench-load");
        if (!workDir) {
            std::fprintf(stderr, "error: %s\n", workDir.error().message.c_str());
            return 2;
        }
        const fs::path work = workDir->path();
        const auto demo = shareDir() / "checkpoints" / "demo-erc";
        std::vector<Case> cases{{"native folder (demo-erc)", demo.string(), "float32"}};
        if (auto packed = packCheckpointArchive(demo, work / "demo-erc.egmf"); packed) {
            cases.push_back({".egmf archive (demo-erc)", (work / "demo-erc.egmf").string(), "float32"});
        }
        {
            auto manifest = readManifest(demo);
            manifest->tokenizer = {"bytes", ""};  // random weights come without a tokenizer file
            manifest->llm.bosTokenId = 256, manifest->llm.eosTokenId = 257;
            std::ofstream(work / "demo.egmf-random.json")
                << json{{"manifest", json::parse(serializeManifest(*manifest))}, {"seed", 1}}.dump();
            cases.push_back({"random weights (example plugin)", (work / "demo.egmf-random.json").string(), "float32"});
        }
        if (auto exported = exportHuggingFaceCheckpoint(demo, work / "hf-demo"); exported) {
            cases.push_back({"Hugging Face layout (demo-erc)", (work / "hf-demo").string(), "float32"});
        }
        double readWarm = 0, readCold = -1;
        std::uint64_t largeBytes = 0;
        if (!o->skipLarge) {
            std::fprintf(stderr, "writing the synthetic 1B-parameter bf16 model to %s ...\n", (work / "hf-1b").c_str());
            if (!fs::exists(work / "hf-1b" / "manifest.json")) {
                if (auto written = writeSyntheticHuggingFace(work / "hf-1b", demo); !written) {
                    std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
                    return 2;
                }
            }
            largeBytes = bytesUnder(work / "hf-1b" / "base");
            if (dropPageCache()) readCold = readOnce(work / "hf-1b" / "base");
            readOnce(work / "hf-1b" / "base");
            readWarm = readOnce(work / "hf-1b" / "base");
            const auto large = (work / "hf-1b").string();
            cases.push_back({"HF 1B bf16, kept bf16 (mapped)", large, "bfloat16", false, 3});
            cases.push_back({"HF 1B bf16 -> float32", large, "float32", false, 1});
            if (readCold >= 0) {
                cases.push_back({"HF 1B bf16, kept bf16, cold cache", large, "bfloat16", true, 1});
                cases.push_back({"HF 1B bf16 -> float32, cold cache", large, "float32", true, 1});
            }
        }
        std::printf("egmf bench load: one fresh process per load, CPU\n\n");
        std::printf("%-36s %-38s %10s %9s %9s %12s\n", "checkpoint", "plugin", "size MB", "dtype", "load s", "peak RSS MiB");
        int failures = 0;
        for (const auto& c : cases) {
            std::vector<double> seconds;
            json line;
            for (int r = 0; r < c.repeats; ++r) {
                if (c.cold) dropPageCache();
                std::vector<std::string> argv{
                    (executableDir() / "egmf").string(), "bench", "load", "--measure", c.path, "--dtype", c.dtype};
                for (const auto& d : o->pluginDirs) argv.insert(argv.end(), {"--plugin-dir", d});
                auto run = runProcess(argv);
                const auto brace = run ? run->output.rfind('{') : std::string::npos;
                line = json::parse(brace != std::string::npos ? run->output.substr(brace) : std::string("{}"), nullptr, false);
                if (!run || line.is_discarded() || !line.contains("seconds")) {
                    std::printf("%-36s failed: %s\n", c.name.c_str(), run ? run->output.c_str() : run.error().message.c_str());
                    seconds.clear();
                    break;
                }
                seconds.push_back(line["seconds"].get<double>());
            }
            if (seconds.empty()) {
                ++failures;
                continue;
            }
            std::printf("%-36s %-38s %10.1f %9s %9.3f %12.0f\n", c.name.c_str(), line["plugin"].get<std::string>().substr(0, 38).c_str(),
                        static_cast<double>(bytesUnder(c.path)) / 1e6, c.dtype.c_str(), bench::median(seconds),
                        line["peak_rss_mib"].get<double>());
        }
        if (!o->skipLarge) {
            std::printf("\nreading the 1B model's %.2f GB of weight files once: %.3f s from the page cache",
                        static_cast<double>(largeBytes) / 1e9, readWarm);
            if (readCold >= 0) std::printf(", %.3f s from disk", readCold);
            std::printf("\nfaulting in %.2f GB of fresh memory (what float32 copies need): %.3f s\n",
                        2 * static_cast<double>(largeBytes) / 1e9, freshMemorySeconds(2 * largeBytes));
        }
        return failures == 0 ? 0 : 2;
    };
}

}  // namespace egmf::cli
