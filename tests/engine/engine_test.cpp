// The background engine on a tiny random checkpoint: results and progress, cancellation (nothing
// after cancel returns), supersession by view, errors as events, one bad utterance not stopping
// its dialogue, and the memory estimate refusing what the machine cannot hold.
#include "egmf/local_engine.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <ATen/Context.h>

#include "loading/memory_budget.h"
#include "test_support.h"

namespace egmf {
namespace {

/// The calling thread's nice value (Linux keeps one per thread).
int currentThreadNice() {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

struct Recorder : EngineObserver {
    std::mutex mutex;
    std::map<JobId, int> progress, results, errors;
    std::map<JobId, DialogueResult> last;
    std::atomic<int> events{0};
    std::map<JobId, int> lastTotal;
    std::atomic<int> resultThreadNice{-100};  ///< nice value of the thread that delivered a result
    void onProgress(JobId id, int, int total) override {
        std::lock_guard lock(mutex);
        ++progress[id];
        lastTotal[id] = total;
        ++events;
    }
    void onResult(JobId id, const DialogueResult& result) override {
        std::lock_guard lock(mutex);
        ++results[id];
        last[id] = result;
        resultThreadNice = currentThreadNice();
        ++events;
    }
    void onError(JobId id, const Error& error) override {
        std::lock_guard lock(mutex);
        ++errors[id];
        errorText[id] = error.message;
        ++events;
    }
    std::map<JobId, std::vector<double>> loadSteps;
    std::map<JobId, ModelInfo> loaded;
    std::map<JobId, std::string> errorText;
    void onLoadProgress(JobId id, double fraction) override {
        std::lock_guard lock(mutex);
        loadSteps[id].push_back(fraction);
    }
    void onModelLoaded(JobId id, const ModelInfo& model) override {
        std::lock_guard lock(mutex);
        loaded[id] = model;
    }
    int total(JobId id) {
        std::lock_guard lock(mutex);
        return progress[id] + results[id] + errors[id];
    }
};

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        manifest = test::tinyManifest();
        ASSERT_TRUE(createRandomCheckpoint(dir.path(), manifest, 7, RandomInit::Perturbed).ok());
    }
    EngineJob job(int utterances, unsigned seed, std::string view = {}) {
        std::vector<std::string> missing(utterances, "");
        return EngineJob{EngineJob::Kind::Dialogue, test::randomDialogue(manifest, missing, seed), -1, {}, std::move(view)};
    }
    /// Three utterances, the first with a clip that does not exist and no features.
    EngineJob jobWithAMissingClip() {
        auto withClip = job(3, 8);
        auto& first = withClip.dialogue.utterances[0];
        first.clipPath = "/nowhere/dia0_utt0.mp4";
        first.audio = {};
        first.visual = {};
        return withClip;
    }
    test::TempDir dir;
    Manifest manifest;
};

TEST_F(EngineTest, dialogueJob_givesProgressPerUtterance_andOneResult) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    {
        auto loaded = engine.loadAndWait(dir.path(), {"auto", "float32"});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    const auto id = engine.submit(job(3, 1));
    auto single = job(3, 2);
    single.kind = EngineJob::Kind::Utterance;
    single.utteranceIndex = 1;
    const auto one = engine.submit(single);
    engine.waitIdle();
    EXPECT_EQ(recorder->progress[id], 3);
    EXPECT_EQ(recorder->results[id], 1);
    EXPECT_EQ(recorder->last[id].utterances.size(), 3u);
    EXPECT_EQ(recorder->last[one].utterances.size(), 1u);
    EXPECT_EQ(recorder->errors[id], 0);
}

/// Nice values of this process's threads, from /proc/self/task/*/stat (field 19).
std::vector<int> threadNiceValues() {
    std::vector<int> values;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream in(task.path() / "stat");
        std::string line;
        std::getline(in, line);
        std::istringstream fields(line.substr(line.rfind(')') + 2));  // after "pid (name) "
        std::string field;
        for (int i = 3; i <= 19 && fields >> field; ++i) {
            if (i == 19) values.push_back(std::stoi(field));
        }
    }
    return values;
}

TEST_F(EngineTest, inferenceThreads_yieldToInteractiveOnes) {
    const int callerNice = currentThreadNice();
    const int expected = std::max(callerNice, kInferenceNice);  // the suite may itself run under nice
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    {
        auto loaded = engine.loadAndWait(dir.path(), {});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    engine.setThreads(2);
    engine.submit(job(3, 11));
    engine.waitIdle();
    EXPECT_EQ(recorder->resultThreadNice.load(), expected);
    // The caller's thread keeps its priority; the intra-op threads the job started inherit the
    // engine's (at least the inference thread itself and one OpenMP worker).
    EXPECT_EQ(currentThreadNice(), callerNice);
    const auto nice = threadNiceValues();
    EXPECT_GE(std::count(nice.begin(), nice.end(), expected), 2);
}

TEST_F(EngineTest, cancel_meansNothingArrivesAfterIt_andSupersessionCancelsOlderJobsOfTheView) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    {
        auto loaded = engine.loadAndWait(dir.path(), {});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    const auto longJob = engine.submit(job(40, 3));
    while (recorder->total(longJob) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_TRUE(engine.cancel(longJob));
    const int seen = recorder->total(longJob);
    const auto older = engine.submit(job(3, 4, "dialogue view"));
    const auto newer = engine.submit(job(3, 5, "dialogue view"));
    engine.waitIdle();
    EXPECT_EQ(recorder->total(longJob), seen) << "an event arrived after cancel returned";
    EXPECT_EQ(recorder->results[longJob], 0);
    EXPECT_EQ(recorder->total(older), 0) << "superseded before it ran";
    EXPECT_EQ(recorder->results[newer], 1);
    EXPECT_FALSE(engine.cancel(longJob)) << "already gone";
}

TEST_F(EngineTest, errors_areEvents_andOneBadUtteranceDoesNotStopItsDialogue) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    const auto noModel = engine.submit(job(1, 6));
    engine.waitIdle();
    EXPECT_EQ(recorder->errors[noModel], 1) << "no checkpoint loaded";
    {
        auto loaded = engine.loadAndWait(dir.path(), {});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    auto broken = job(3, 7);
    broken.dialogue.utterances[1].audio.dim = manifest.audioFeatureDim + 5;  // malformed features
    broken.dialogue.utterances[1].audio.values.resize(broken.dialogue.utterances[1].audio.frames * broken.dialogue.utterances[1].audio.dim);
    const auto id = engine.submit(broken);
    engine.waitIdle();
    ASSERT_EQ(recorder->results[id], 1);
    const auto& utterances = recorder->last[id].utterances;
    ASSERT_EQ(utterances.size(), 3u);
    EXPECT_TRUE(utterances[0].error.empty());
    EXPECT_FALSE(utterances[1].error.empty());
    EXPECT_TRUE(utterances[2].error.empty());
}

TEST_F(EngineTest, loadCheckpoint_refusesWhatWouldNotFitInMemory) {
    auto huge = manifest;
    huge.llm.vocabSize = 256000;
    huge.llm.hiddenSize = 65536;
    huge.llm.intermediateSize = 262144;
    huge.llm.numHiddenLayers = 400;
    test::TempDir folder;
    std::ofstream(folder.path() / "manifest.json") << serializeManifest(huge);
    LocalEngine engine(nullptr);
    auto loaded = engine.loadAndWait(folder.path(), {});
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("80%"), std::string::npos) << loaded.error().message;
    EXPECT_GT(estimateLoadedBytes(huge, "float32"), estimateLoadedBytes(huge, "bfloat16"));
}

TEST_F(EngineTest, clipsWithoutAFeatureSource_areAnalysedFromText_andSaySo) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    {
        auto loaded = engine.loadAndWait(dir.path(), {});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    const auto id = engine.submit(jobWithAMissingClip());
    engine.waitIdle();
    ASSERT_EQ(recorder->results[id], 1);
    EXPECT_EQ(recorder->lastTotal[id], 1 + 3) << "one step for the clip, one per utterance";
    const auto& utterances = recorder->last[id].utterances;
    ASSERT_EQ(utterances.size(), 3u);
    EXPECT_NE(utterances[0].error.find("dia0_utt0.mp4"), std::string::npos) << utterances[0].error;
    EXPECT_NE(utterances[0].error.find("text only"), std::string::npos) << utterances[0].error;
    EXPECT_FALSE(utterances[0].prediction.empty()) << "still predicted, from its text";
    EXPECT_EQ(utterances[0].audioLength + utterances[0].visualLength, 0);
    EXPECT_TRUE(utterances[1].error.empty());
}

TEST_F(EngineTest, aTextOnlyModel_readsNoClip_soAMissingClipIsNoFailure) {
    auto textOnly = manifest;
    textOnly.modalities = {true, false, false};
    test::TempDir folder;
    ASSERT_TRUE(createRandomCheckpoint(folder.path(), textOnly, 7, RandomInit::Perturbed).ok());
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    {
        auto loaded = engine.loadAndWait(folder.path(), {});
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    const auto id = engine.submit(jobWithAMissingClip());
    engine.waitIdle();
    ASSERT_EQ(recorder->results[id], 1);
    EXPECT_EQ(recorder->lastTotal[id], 3) << "no step for a clip: a text-only model does not read it";
    const auto& utterances = recorder->last[id].utterances;
    ASSERT_EQ(utterances.size(), 3u);
    EXPECT_TRUE(utterances[0].error.empty()) << utterances[0].error;
    EXPECT_FALSE(utterances[0].prediction.empty());
}

TEST(MemoryBudget, refusesAbove80PercentOfWhatIsAvailable_andKnowsTheGpusFreeMemory) {
    EXPECT_TRUE(loading::checkFits(80, 100, "ckpt", "the GPU's free memory", "use bfloat16").ok());
    const auto refused = loading::checkFits(81, 100, "ckpt", "the GPU's free memory", "use bfloat16");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("ckpt: "), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("80% of the GPU's free memory"), std::string::npos) << refused.error().message;
    EXPECT_GT(loading::physicalMemoryBytes(), std::int64_t{1} << 30);
    const auto free = loading::freeGpuMemoryBytes(0);
    if (at::hasCUDA()) {
        ASSERT_TRUE(free.has_value()) << "a CUDA LibTorch with a GPU: the CUDA runtime answers";
        EXPECT_GT(*free, std::int64_t{100} << 20);
    } else {
        EXPECT_FALSE(free.has_value());
    }
}

TEST_F(EngineTest, load_runsInTheBackground_reportsProgress_andTheModelTakesOver) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    EXPECT_FALSE(engine.model());
    const auto load = engine.load(dir.path(), {"cpu", "auto"});
    engine.waitIdle();
    ASSERT_EQ(recorder->loaded.count(load), 1u) << recorder->errorText[load];
    const auto& model = recorder->loaded[load];
    EXPECT_EQ(model.dtype, "float32") << "auto is float32 on the CPU";
    EXPECT_EQ(model.device, "cpu");
    EXPECT_EQ(model.checkpoint, dir.path().string());
    ASSERT_FALSE(recorder->loadSteps[load].empty());
    EXPECT_DOUBLE_EQ(recorder->loadSteps[load].back(), 1.0);
    ASSERT_TRUE(engine.model());
    EXPECT_EQ(engine.model()->manifest.fusionDim, manifest.fusionDim);
    const auto id = engine.submit(job(2, 3));
    engine.waitIdle();
    EXPECT_EQ(recorder->results[id], 1);
}

TEST_F(EngineTest, cancelledLoad_sendsNothing_andKeepsTheModelInUse) {
    // A load that waits inside the loader until the test has cancelled it.
    std::atomic<bool> cancelledSeen{false}, inLoad{false};
    CheckpointOpener opener = [&](const std::filesystem::path& path, const LoadOptions& options) -> Result<PreparedLoad> {
        auto inner = nativeCheckpointOpener()(path, options);
        if (!inner) return inner.error();
        auto run = inner->run;
        inner->run = [&, run](const LoadControl& control) -> Result<std::unique_ptr<Analyzer>> {
            inLoad = true;
            while (!control.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            cancelledSeen = true;
            return run(control);  // sees the cancel at its first tensor
        };
        return inner;
    };
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder, opener);
    const auto first = engine.load(dir.path(), {"cpu", "float32"});
    while (!inLoad) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_TRUE(engine.cancel(first));
    engine.waitIdle();
    EXPECT_TRUE(cancelledSeen);
    EXPECT_EQ(recorder->loaded.count(first), 0u);
    EXPECT_EQ(recorder->errors[first], 0) << "a cancelled load is not an error: " << recorder->errorText[first];
    EXPECT_FALSE(engine.model());
    EXPECT_FALSE(engine.cancel(first)) << "it is over";
}

TEST_F(EngineTest, sevenBillionModel_isRefusedOnTheCpuInFloat32_withWhatToDo) {
    auto seven = manifest;  // Llama-2-7B's shape
    seven.llm.vocabSize = 32000;
    seven.llm.hiddenSize = 4096;
    seven.llm.intermediateSize = 11008;
    seven.llm.numHiddenLayers = 32;
    seven.llm.numAttentionHeads = 32;
    seven.llm.numKeyValueHeads = 32;
    seven.llm.torchDtype = "bfloat16";
    LoadOptions options{"cpu", "auto"};
    EXPECT_EQ(resolveLoadOptions(seven, options).dtype, "float32") << "auto stays float32 on the CPU";
    EXPECT_EQ(resolveLoadOptions(seven, {"cuda", "auto"}).dtype, "bfloat16") << "a GPU keeps the weights' dtype";
    const bool fits32 = estimateLoadedBytes(seven, "float32") <= loading::physicalMemoryBytes() * 8 / 10;
    auto fits = checkLoadFits(seven, options, "llama-7b");
    EXPECT_EQ(options.dtype, "float32");
    if (!fits32) {
        ASSERT_FALSE(fits.ok());
        EXPECT_NE(fits.error().message.find("llama-7b"), std::string::npos) << fits.error().message;
        EXPECT_NE(fits.error().message.find("--dtype bfloat16"), std::string::npos) << fits.error().message;
    }
    LoadOptions half{"cpu", "bfloat16"};
    (void)checkLoadFits(seven, half, "llama-7b");
    EXPECT_EQ(half.dtype, "bfloat16") << "bfloat16 can be chosen on the CPU";
}

TEST_F(EngineTest, bfloat16_canBeChosenOnTheCpu) {
    auto recorder = std::make_shared<Recorder>();
    LocalEngine engine(recorder);
    auto loaded = engine.loadAndWait(dir.path(), {"cpu", "bfloat16"});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->dtype, "bfloat16");
    const auto id = engine.submit(job(2, 4));
    engine.waitIdle();
    EXPECT_EQ(recorder->results[id], 1) << recorder->errorText[id];
}

}  // namespace
}  // namespace egmf
