// `egmf bench engine` (egmf/bench/benchmarks.h). Built with the clip features (it decodes real clips).
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "egmf/checkpoint.h"
#include "egmf/local_engine.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
const char* kFace = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

/// Hands the engine's result (or error) to the waiting benchmark.
class Waiter : public EngineObserver {
public:
    void onResult(JobId, const DialogueResult& result) override { finish(result, {}); }
    void onError(JobId, const Error& error) override { finish({}, error.message); }
    Result<DialogueResult> wait() {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [&] { return m_finished; });
        m_finished = false;
        if (!m_error.empty()) return makeError(ErrorCode::Internal, m_error);
        return m_result;
    }

private:
    void finish(DialogueResult result, std::string error) {
        std::lock_guard lock(m_mutex);
        m_result = std::move(result);
        m_error = std::move(error);
        m_finished = true;
        m_done.notify_all();
    }
    std::mutex m_mutex;
    std::condition_variable m_done;
    DialogueResult m_result;
    std::string m_error;
    bool m_finished = false;
};

Result<void> makeClip(const fs::path& clip, const EngineBenchOptions& o) {
    const auto speech = clip.string() + ".wav";
    const auto say = "espeak-ng -v en -s 150 -w '" + speech + "' 'I cannot believe you did that, you know how much it meant to me.'";
    const auto size = std::to_string(o.width) + "x" + std::to_string(o.height);
    const auto make = "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=" + size + ":rate=25 -loop 1 -i '" +
                      std::string(kFace) + "' -i '" + speech + "' -filter_complex \"[1]scale=-1:" + std::to_string(o.height * 2 / 3) +
                      "[f];[0][f]overlay=(W-w)/2:(H-h)/3[v];[2]apad[a]\" -map [v] -map [a] -t " + std::to_string(o.clipSeconds) +
                      " -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac '" + clip.string() + "'";
    if (std::system(say.c_str()) != 0 || std::system(make.c_str()) != 0) {
        return makeError(ErrorCode::Io, clip.string() +
                                            ": could not make the benchmark clip (scripts/setup.sh installs "
                                            "ffmpeg, espeak-ng and python3-imageio)");
    }
    return {};
}

Dialogue dialogueOf(const std::vector<fs::path>& clips, const std::string& id) {
    Dialogue dialogue{id, {}, "test"};
    for (std::size_t i = 0; i < clips.size(); ++i) {
        Utterance u;
        u.id = id + "_utt" + std::to_string(i);
        u.speaker = i % 2 ? "Ross" : "Rachel";
        u.text = "I cannot believe you did that, you know how much it meant to me.";
        u.clipPath = clips[i].string();
        dialogue.utterances.push_back(std::move(u));
    }
    return dialogue;
}

}  // namespace

Result<EngineBenchReport> benchEngine(const EngineBenchOptions& options) {
    auto work = bench::WorkDir::create(options.workDir, "egmf-bench-engine");
    if (!work) return work.error();
    const auto& dir = work->path();
    const auto manifest = demoManifest();
    if (auto made = createRandomCheckpoint(dir / "checkpoint", manifest, 1); !made) return made.error();
    std::vector<fs::path> clips;
    if (auto made = makeClip(dir / "utt0.mp4", options); !made) return made.error();
    for (int i = 0; i < options.utterances; ++i) {
        clips.push_back(dir / ("utt" + std::to_string(i) + ".mp4"));
        if (i > 0) fs::copy_file(clips[0], clips[i], fs::copy_options::overwrite_existing);
    }

    auto waiter = std::make_shared<Waiter>();
    LocalEngine engine(waiter);
    ClipFeatureSourceOptions sourceOptions;
    sourceOptions.cacheBytes = 0;  // every run decodes, as a first visit does
    engine.setFeatureSource(makeClipFeatureSource(sourceOptions));
    if (auto loaded = engine.loadAndWait(dir / "checkpoint", {}); !loaded) return loaded.error();

    EngineBenchReport report;
    report.clipSeconds = options.clipSeconds;
    report.utterances = options.utterances;
    report.configuration = "demo-size model (d=" + std::to_string(manifest.fusionDim) + ", LLM " +
                           std::to_string(manifest.llm.numHiddenLayers) + " layers d_llm=" + std::to_string(manifest.llm.hiddenSize) +
                           "), clips " + std::to_string(options.width) + "x" + std::to_string(options.height) + " 25 fps + speech";
    const auto dialogue = dialogueOf(clips, "dia0");
    const auto single = dialogueOf({clips[0]}, "dia1");
    for (const int threads : options.threads) {
        engine.setThreads(threads);
        std::vector<double> wall, features, model, first;
        for (int run = 0; run <= options.repeats; ++run) {  // run 0 warms up
            auto start = Clock::now();
            engine.submit({EngineJob::Kind::Dialogue, dialogue, -1, {}, {}});
            auto result = waiter->wait();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (!result) return result.error();
            start = Clock::now();
            engine.submit({EngineJob::Kind::Utterance, single, 0, {}, {}});
            auto one = waiter->wait();
            const double firstMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (!one) return one.error();
            if (run == 0) continue;
            wall.push_back(ms);
            first.push_back(firstMs);
            for (const auto& u : result->utterances) {
                if (!u.error.empty()) return makeError(ErrorCode::Internal, u.error);
                features.push_back(u.timings.featuresMs);
                model.push_back(u.timings.totalMs() - u.timings.featuresMs);
            }
        }
        const double dialogueMs = bench::median(wall);
        report.rows.push_back({threads, 1000.0 / dialogueMs, dialogueMs / options.utterances, bench::median(features), bench::median(model),
                               bench::median(first)});
    }
    return report;
}

}  // namespace egmf
