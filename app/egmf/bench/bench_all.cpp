// egmf bench all: the performance suite in one run, one table. Each row is measured
// side by side with its yardstick in this run (the machines are noisy: ratios, medians):
//   - the model per utterance against the Python PyTorch reference on the same weights and inputs
//     (egmf bench model), goal >= 1.5x faster on the CPU;
//   - decoding 720p to RGB, and the whole clip features, against the ffmpeg CLI (egmf bench
//     decode), goal <= 1.2x its time;
//   - whole-utterance analysis (decode + features + model, the background engine) as a multiple of
//     real time (egmf bench engine, 2 threads), goal >= 10x;
//   - the Studio playing a dialogue headless while the engine analyses the split (its scripted
//     run): late and dropped frames (goal 0) and the longest UI stall (goal < 50 ms);
//   - the Studio on MELD's real CSVs (13,708 utterances, text only, the bundled meld-text model)
//     analysing in the background for --meld-seconds: the longest UI stall (goal < 50 ms), which
//     must not grow with the number of results;
//   - memory: this process's peak after the engine runs, and the Studio's.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "egmf/app/process.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "egmf/paths.h"

namespace egmf::cli {

namespace {

namespace fs = std::filesystem;

struct BenchAllOptions {
    int studioSeconds = 15;
    int meldSeconds = 150;
    fs::path meld;  ///< MELD's *_sent_emo.csv folder; empty: the source tree's tests/data/meld
    int repeats = 5;
    bool json = false;
    fs::path workDir;
};

struct Row {
    std::string what, ours, yardstick, ratio, goal;
    std::optional<bool> met;  ///< nullopt: no goal, or not measured
    std::string note;
};

std::string fixed(double value, int decimals, const char* unit = "") {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f%s", decimals, value, unit);
    return text;
}

struct StudioFigures {
    int presented = 0, expected = 0, dropped = 0, late = 0;
    double stallMs = 0, peakRssMb = 0;
    std::string clock;
};

/// The Studio's scripted run on `dataset` with `checkpoint` (empty: the Studio's own choice).
Result<StudioFigures> runScriptedStudio(const fs::path& dataset, const fs::path& checkpoint, const fs::path& work, int seconds) {
    const auto studio = executableDir() / "egmf-studio";
    if (!fs::exists(studio)) return makeError(ErrorCode::NotFound, studio.string() + ": not built (the Studio row needs the full build)");
    // A scratch configuration (the user's layout and recent files stay as they are), offscreen.
    const auto config = work / "studio-config";
    fs::create_directories(config);
    std::vector<std::string> argv{"env",
                                  "QT_QPA_PLATFORM=offscreen",
                                  "XDG_CONFIG_HOME=" + config.string(),
                                  studio.string(),
                                  "--dataset",
                                  dataset.string(),
                                  "--annotations",
                                  (work / "annotations.sqlite").string(),
                                  "--screenshot",
                                  (work / "studio.png").string(),
                                  "--play-for",
                                  std::to_string(seconds)};
    if (!checkpoint.empty()) argv.insert(argv.end(), {"--checkpoint", checkpoint.string()});
    auto run = runProcess(argv);
    if (!run) return run.error();
    static const std::regex played(R"(played \S+ s: (\d+) frames presented of (\d+) expected, (\d+) dropped, (\d+) late; )"
                                   R"(longest UI stall ([0-9.]+) ms; ([^;]+); peak RSS ([0-9.]+) MB)");
    std::smatch m;
    if (run->exitCode != 0 || !std::regex_search(run->output, m, played)) {
        return makeError(ErrorCode::Internal,
                         "the Studio's scripted run failed (exit " + std::to_string(run->exitCode) + "):\n" + run->output);
    }
    return StudioFigures{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stod(m[5]), std::stod(m[7]), m[6]};
}

/// The Studio's scripted run on a MELD-layout copy of the engine bench's clips: `dialogues`
/// dialogues of `utterances` clips each (hard links: each its own file to decode), the first
/// played while the engine analyses the others.
Result<StudioFigures> runStudio(const fs::path& clipsDir, const fs::path& work, int seconds) {
    const auto dataset = work / "studio-dataset";
    const auto clips = dataset / "output_repeated_splits_test";
    fs::create_directories(clips);
    const int dialogues = 6, utterances = 6;
    std::ofstream csv(dataset / "test_sent_emo.csv");
    csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n";
    int serial = 1;
    for (int d = 0; d < dialogues; ++d) {
        for (int u = 0; u < utterances; ++u) {
            csv << serial++ << ",\"Line " << u << " of dialogue " << d << ".\"," << (u % 2 ? "Lena" : "Omar") << ",neutral,neutral," << d
                << ',' << u << ",1,1,\"00:00:01,000\",\"00:00:02,000\"\n";
            const auto clip = clips / ("dia" + std::to_string(d) + "_utt" + std::to_string(u) + ".mp4");
            std::error_code ec;
            fs::remove(clip, ec);
            fs::create_hard_link(clipsDir / ("utt" + std::to_string(u) + ".mp4"), clip, ec);
            if (ec) return makeError(ErrorCode::Io, clip.string() + ": " + ec.message());
        }
    }
    csv.close();
    return runScriptedStudio(dataset, shareDir() / "checkpoints" / "demo-erc", work, seconds);
}

void printTable(const std::vector<Row>& rows) {
    std::printf("%-44s %14s %24s %8s %10s  %s\n", "benchmark", "ours", "yardstick (same run)", "ratio", "goal", "met");
    for (const auto& r : rows) {
        const char* met = !r.met ? "-" : *r.met ? "yes" : "NO";
        std::printf("%-44s %14s %24s %8s %10s  %s\n", r.what.c_str(), r.ours.c_str(), r.yardstick.c_str(), r.ratio.c_str(), r.goal.c_str(),
                    met);
        if (!r.note.empty()) std::printf("    %s\n", r.note.c_str());
    }
}

int runAll(const BenchAllOptions& o) {
    auto work = bench::WorkDir::create(o.workDir, "egmf-bench-all");
    if (!work) {
        std::fprintf(stderr, "error: %s\n", work.error().message.c_str());
        return 2;
    }
    std::vector<Row> rows;
    auto failed = [&](const std::string& what, const Error& e) { rows.push_back({what, "failed", "", "", "", false, e.message}); };

    std::fprintf(stderr, "bench all: the model against the Python reference...\n");
    ModelBenchOptions model;
    model.repeats = o.repeats;
    model.workDir = work->path() / "model";
    // The bundled trained checkpoint: it answers with label words, as a user's model does.
    model.checkpoint = shareDir() / "checkpoints" / "demo-erc";
    if (auto r = benchModel(model)) {
        const bool measured = r->referenceMedianMs > 0;
        const double ratio = measured ? r->referenceMedianMs / r->engineMedianMs : 0;
        rows.push_back({"model per utterance, CPU, " + std::to_string(r->threads) + " threads", fixed(r->engineMedianMs, 1, " ms"),
                        measured ? fixed(r->referenceMedianMs, 1, " ms PyTorch") : "-", measured ? fixed(ratio, 2, "x") : "-", ">= 1.5x",
                        measured ? std::optional<bool>(ratio >= 1.5) : std::nullopt, r->referenceNote});
        for (const auto& s : r->stages) {
            if (s.referenceMs < 0) continue;
            rows.push_back({"  " + s.stage, fixed(s.engineMs, 2, " ms"), fixed(s.referenceMs, 2, " ms"),
                            fixed(s.engineMs > 0 ? s.referenceMs / s.engineMs : 0, 2, "x"), "", std::nullopt, ""});
        }
    } else {
        failed("model per utterance", r.error());
    }

    std::fprintf(stderr, "bench all: decoding against the ffmpeg CLI...\n");
    DecodeBenchOptions decode;
    decode.repeats = o.repeats;
    decode.workDir = work->path() / "decode";
    if (auto r = benchDecode(decode)) {
        const double video = r->oursMedianMs / r->cliMedianMs, features = r->featuresMedianMs / r->cliMedianMs;
        rows.push_back({"decode 720p H.264 to RGB, 1 thread", fixed(r->oursMedianMs, 1, " ms"), fixed(r->cliMedianMs, 1, " ms ffmpeg CLI"),
                        fixed(video, 2, "x"), "<= 1.2x", video <= 1.2, std::to_string(r->frames) + " frames"});
        rows.push_back({"clip features (decode, log-mel, faces)", fixed(r->featuresMedianMs, 1, " ms"),
                        fixed(r->cliMedianMs, 1, " ms ffmpeg CLI"), fixed(features, 2, "x"), "<= 1.2x", features <= 1.2, ""});
    } else {
        failed("decoding", r.error());
    }

    std::fprintf(stderr, "bench all: whole-utterance analysis (the background engine)...\n");
    EngineBenchOptions engine;
    engine.threads = {2};
    engine.repeats = std::max(1, o.repeats / 2);
    engine.workDir = work->path() / "engine";
    std::optional<fs::path> clipsDir;
    auto engineReport = benchEngine(engine);
    if (engineReport && engineReport->rows.empty()) engineReport = makeError(ErrorCode::Internal, "the engine bench measured nothing");
    if (auto& r = engineReport) {
        const auto& row = r->rows.front();
        const double realTime = r->clipSeconds * 1000.0 / row.utteranceMs;
        rows.push_back({"utterance analysis, real-time factor", fixed(realTime, 1, "x"), fixed(r->clipSeconds, 1, " s clips"), "", ">= 10x",
                        realTime >= 10.0,
                        fixed(row.utteranceMs, 1, " ms per utterance (features ") + fixed(row.featuresMs, 1, " ms, model ") +
                            fixed(row.modelMs, 1, " ms); submit -> first result ") + fixed(row.firstResultMs, 1, " ms")});
        clipsDir = engine.workDir;
    } else {
        failed("utterance analysis", r.error());
    }
    const double engineRss = bench::peakRssMiB();

    if (clipsDir) {
        std::fprintf(stderr, "bench all: the Studio playing for %d s while the engine analyses...\n", o.studioSeconds);
        if (auto s = runStudio(*clipsDir, work->path(), o.studioSeconds)) {
            rows.push_back({"Studio playback: late + dropped frames", std::to_string(s->late + s->dropped),
                            std::to_string(s->presented) + " / " + std::to_string(s->expected) + " shown", "", "0",
                            s->late + s->dropped == 0, s->clock});
            rows.push_back({"Studio: longest UI-thread stall", fixed(s->stallMs, 1, " ms"), "", "", "< 50 ms", s->stallMs < 50.0, ""});
            rows.push_back({"memory: the Studio's peak RSS", fixed(s->peakRssMb, 0, " MB"), "", "", "", std::nullopt, ""});
        } else {
            failed("Studio playback", s.error());
        }
    }
    const auto meld = !o.meld.empty() ? o.meld : executableDir() / ".." / ".." / ".." / "tests" / "data" / "meld";
    if (o.meldSeconds > 0 && fs::exists(meld / "test_sent_emo.csv")) {
        std::fprintf(stderr, "bench all: the Studio on MELD's CSVs for %d s while the engine analyses them...\n", o.meldSeconds);
        if (auto s = runScriptedStudio(fs::canonical(meld), {}, work->path(), o.meldSeconds)) {
            rows.push_back({"Studio on MELD (13,708 utt.): longest UI stall", fixed(s->stallMs, 1, " ms"), "", "", "< 50 ms",
                            s->stallMs < 50.0, "over " + std::to_string(o.meldSeconds) + " s of analysing in the background"});
        } else {
            failed("Studio on MELD's CSVs", s.error());
        }
    } else if (o.meldSeconds > 0) {
        rows.push_back({"Studio on MELD's CSVs", "not run", "", "", "", std::nullopt, meld.string() + ": no MELD CSVs (pass --meld DIR)"});
    }
    rows.push_back({"memory: this process's peak RSS (engine runs)", fixed(engineRss, 0, " MiB"), "", "", "", std::nullopt, ""});

    if (o.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rows) {
            out.push_back({{"benchmark", r.what},
                           {"ours", r.ours},
                           {"yardstick", r.yardstick},
                           {"ratio", r.ratio},
                           {"goal", r.goal},
                           {"met", r.met ? nlohmann::json(*r.met) : nlohmann::json()},
                           {"note", r.note}});
        }
        std::printf("%s\n", out.dump(2).c_str());
    } else {
        printTable(rows);
        std::printf("\nratios: model = reference / ours (> 1: we are faster); decode = ours / CLI (< 1: we are faster)\n");
    }
    for (const auto& r : rows) {
        if (r.ours == "failed") return 1;
    }
    return 0;
}

}  // namespace

Command addAllBench(CLI::App& bench) {
    auto* all = bench.add_subcommand("all",
                                     "The performance suite in one table: model vs PyTorch, decode vs the ffmpeg CLI, "
                                     "real-time factor, Studio playback and stalls, memory");
    auto o = std::make_shared<BenchAllOptions>();
    all->add_option("--repeats", o->repeats, "Timed runs per measurement (medians)")->check(CLI::Range(1, 50))->capture_default_str();
    all->add_option("--studio-seconds", o->studioSeconds, "Seconds the Studio plays")->check(CLI::Range(2, 600))->capture_default_str();
    all->add_option("--meld-seconds", o->meldSeconds, "Seconds the Studio analyses MELD's CSVs (0: skip that row)")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    all->add_option("--meld", o->meld, "MELD's *_sent_emo.csv folder (default: the source tree's tests/data/meld)");
    all->add_option("--work-dir", o->workDir, "Keep the clips, checkpoints and the Studio's screenshot here");
    all->add_flag("--json", o->json, "Print the rows as JSON");
    return [o]() { return runAll(*o); };
}

}  // namespace egmf::cli
