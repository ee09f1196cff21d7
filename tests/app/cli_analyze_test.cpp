// `egmf analyze`, `eval --checkpoint`, `eval --predictions` (JSONL), `export` and
// `inspect-checkpoint`, run as a user runs them on a small MELD-layout dataset whose clips are
// made by ffmpeg + espeak-ng (one of them corrupt, one missing), with a random checkpoint. Also
// the engine's clip features: taken from the FeatureSource, cached, and decoded again when the
// clip changes.
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "cli_run.h"
#include "egmf/app/analysis_bundle.h"
#include "egmf/app/sha256.h"
#include "egmf/checkpoint.h"
#include "egmf/local_engine.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kAstronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";
const char* kHeader =
    "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime,SentimentScore,Congruence\r\n";

std::string row(int n, const std::string& text, const std::string& speaker, const std::string& emotion, int dialogue, int utterance,
                const char* congruence = "congruent") {
    return std::to_string(n) + ",\"" + text + "\"," + speaker + "," + emotion + ",neutral," + std::to_string(dialogue) + "," +
           std::to_string(utterance) + ",1,1,\"00:00:01,000\",\"00:00:02,000\",0.5," + congruence + "\r\n";
}

void makeClip(const fs::path& clip, const std::string& words) {
    const auto speech = clip.string() + ".wav";
    ASSERT_EQ(std::system(("espeak-ng -v en -s 170 -w '" + speech + "' '" + words + "'").c_str()), 0) << "espeak-ng missing";
    const auto make = "ffmpeg -hide_banner -loglevel error -y -loop 1 -framerate 25 -i '" + std::string(kAstronaut) + "' -i '" + speech +
                      "' -shortest -vf scale=320:320,format=yuv420p -c:v libx264 -c:a aac '" + clip.string() + "'";
    ASSERT_EQ(std::system(make.c_str()), 0) << make;
    fs::remove(speech);
}

std::vector<json> readLines(const fs::path& file) {
    std::vector<json> lines;
    std::ifstream in(file);
    for (std::string text; std::getline(in, text);) lines.push_back(json::parse(text));
    return lines;
}

/// Lines finished so far (a reader may see a line half written).
std::size_t completeLines(const fs::path& file) {
    std::ifstream in(file);
    return static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

class CliAnalyze : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir();
        const auto root = s_dir->path();
        // dia0: two good clips and a corrupt one; dia1: a good clip and a missing one.
        std::ofstream(root / "test_sent_emo.csv")
            << kHeader << row(1, "Oh my God, you did it!", "Rachel", "joy", 0, 0, "incongruent")
            << row(2, "Yeah, I did.", "Ross", "neutral", 0, 1) << row(3, "Whatever, that's great.", "Rachel", "anger", 0, 2)
            << row(4, "Wait, what happened?", "Joey", "surprise", 1, 0) << row(5, "Nothing at all.", "Monica", "neutral", 1, 1);
        const auto clips = root / "output_repeated_splits_test";
        fs::create_directories(clips);
        makeClip(clips / "dia0_utt0.mp4", "Oh my God, you did it!");
        makeClip(clips / "dia0_utt1.mp4", "Yeah, I did.");
        std::ofstream(clips / "dia0_utt2.mp4") << std::string(4000, 'x');
        makeClip(clips / "dia1_utt0.mp4", "Wait, what happened?");

        auto manifest = test::tinyManifest();
        manifest.audioFeatureDim = 80;
        manifest.visualFeatureDim = 256;
        ASSERT_TRUE(createRandomCheckpoint(root / "checkpoint", manifest, 11, RandomInit::Perturbed).ok());
    }
    static void TearDownTestSuite() { delete s_dir; }
    static fs::path root() { return s_dir->path(); }
    static std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }
    static std::string common() {
        return "--checkpoint " + quoted(root() / "checkpoint") + " --dataset " + quoted(root()) + " --threads 2";
    }
    static test::TempDir* s_dir;
};
test::TempDir* CliAnalyze::s_dir = nullptr;

TEST_F(CliAnalyze, analyze_writesALinePerUtterance_reportsBadClips_andCarriesOn) {
    const auto out = root() / "results.jsonl";
    const auto run = test::egmf("analyze " + common() + " --split test --out " + quoted(out));
    EXPECT_EQ(run.code, 1) << run.output;  // the corrupt clip: one item failed
    EXPECT_NE(run.output.find("5 utterances analysed"), std::string::npos) << run.output;
    const auto lines = readLines(out);
    ASSERT_EQ(lines.size(), 5u);
    std::set<std::string> ids;
    for (const auto& line : lines) {
        ids.insert(line["id"].get<std::string>());
        const auto id = line["id"].get<std::string>();
        if (id == "test/dia0_utt2") {
            const auto error = line["error"].get<std::string>();
            EXPECT_NE(error.find("dia0_utt2.mp4"), std::string::npos) << error;
            EXPECT_NE(error.find("text only"), std::string::npos) << error;
            EXPECT_EQ(line["lengths"]["audio"], 0);
        } else {
            EXPECT_TRUE(line["error"].is_null()) << id << ": " << line["error"];
        }
        if (id == "test/dia0_utt0" || id == "test/dia0_utt1" || id == "test/dia1_utt0") {
            EXPECT_GT(line["lengths"]["audio"].get<int>(), 0) << id;
            EXPECT_GT(line["lengths"]["visual"].get<int>(), 0) << id;
            EXPECT_GT(line["timings"]["featuresMs"].get<double>(), 0.0) << id;
            EXPECT_FALSE(line["gates"]["audio"].is_null());
        }
        if (id == "test/dia1_utt1") {
            EXPECT_EQ(line["lengths"]["visual"], 0) << "missing clip: text only";
        }
        double probabilities = 0, gates = 0;
        for (const auto& [label, p] : line["probabilities"].items()) probabilities += p.get<double>();
        for (const auto& [expert, g] : line["gates"]["mean"].items()) gates += g.get<double>();
        EXPECT_NEAR(probabilities, 1.0, 1e-6) << id;
        EXPECT_NEAR(gates, 1.0, 1e-5) << id;
        EXPECT_EQ(line["attention"]["textToAv"].size(), 3u);
        EXPECT_EQ(line["attention"]["textToAv"][1], line["lengths"]["text"]);
        EXPECT_TRUE(line["gold"].is_string());
        EXPECT_TRUE(line["prediction"].is_string());
    }
    EXPECT_EQ(ids.size(), 5u);

    // eval of the JSONL: the failed utterance is left out and counted; exit 1 says so.
    const auto eval = test::egmf("eval --task erc --use scored --predictions " + quoted(out));
    EXPECT_EQ(eval.code, 1) << eval.output;
    const auto metrics = json::parse(eval.output.substr(eval.output.find('{')));
    EXPECT_EQ(metrics["count"], 4);
    EXPECT_EQ(metrics["failed"], 1);

    const auto tagged = test::egmf("eval --task erc --tag incongruent --predictions " + quoted(out));
    EXPECT_EQ(tagged.code, 0) << tagged.output;
    const auto incongruent = json::parse(tagged.output.substr(tagged.output.find('{')));
    EXPECT_EQ(incongruent["count"], 1);
    EXPECT_EQ(incongruent["other_tags"], 4);

    // export: CSV with one row per utterance (quoted commas survive), JSON array of every field.
    const auto csv = test::egmf("export --results " + quoted(out) + " --format csv --out " + quoted(root() / "r.csv"));
    ASSERT_EQ(csv.code, 0) << csv.output;
    std::ifstream csvIn(root() / "r.csv");
    std::string header, first;
    std::getline(csvIn, header);
    std::getline(csvIn, first);
    EXPECT_EQ(header.rfind("id,dialogue,split,speaker,text,gold,prediction", 0), 0u) << header;
    EXPECT_NE(first.find("\"Oh my God, you did it!\""), std::string::npos) << first;
    const auto asJson = test::egmf("export --results " + quoted(out) + " --format json");
    ASSERT_EQ(asJson.code, 0);
    EXPECT_EQ(json::parse(asJson.output).size(), 5u);
}

TEST_F(CliAnalyze, evalCheckpoint_analysesThenScores_andAblationIsRecorded) {
    const auto eval = test::egmf("eval " + common() + " --split test --dialogue dia1 --out " + quoted(root() / "dia1.jsonl"));
    EXPECT_EQ(eval.code, 0) << eval.output;
    const auto metrics = json::parse(eval.output.substr(eval.output.find('{')));
    EXPECT_EQ(metrics["count"], 2);
    EXPECT_EQ(metrics["labels"].size(), 7u + (metrics["labels"].size() > 7u)) << "the checkpoint's labels (+ unparsable)";
    EXPECT_EQ(readLines(root() / "dia1.jsonl").size(), 2u);

    const auto out = root() / "ablated.jsonl";
    const auto run = test::egmf("analyze " + common() + " --dialogue test/dia1 --ablate a,v,e2 --out " + quoted(out));
    EXPECT_EQ(run.code, 0) << run.output;
    const auto lines = readLines(out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["ablation"], json({"audio", "visual", "semantic"}));
    EXPECT_EQ(lines[0]["lengths"]["audio"], 0);
    EXPECT_NEAR(lines[0]["gates"]["mean"]["semantic"].get<double>(), 0.0, 1e-7);
}

TEST_F(CliAnalyze, badUsageAndBadInput_exit2_namingTheFile) {
    const auto noDialogue = test::egmf("analyze " + common() + " --dialogue dia99 --out " + quoted(root() / "x.jsonl"));
    EXPECT_EQ(noDialogue.code, 2);
    EXPECT_NE(noDialogue.output.find("no dialogue matches"), std::string::npos) << noDialogue.output;
    const auto badAblation = test::egmf("analyze " + common() + " --ablate a,z --out " + quoted(root() / "x.jsonl"));
    EXPECT_EQ(badAblation.code, 2);
    EXPECT_NE(badAblation.output.find("\"z\""), std::string::npos) << badAblation.output;
    const auto noCheckpoint =
        test::egmf("analyze --checkpoint /nonexistent --dataset " + quoted(root()) + " --out " + quoted(root() / "x.jsonl"));
    EXPECT_EQ(noCheckpoint.code, 2);
    EXPECT_NE(noCheckpoint.output.find("/nonexistent"), std::string::npos) << noCheckpoint.output;
    EXPECT_EQ(test::egmf("analyze " + common() + " --out /nonexistent/dir/x.jsonl").code, 2);
    std::ofstream(root() / "broken.jsonl") << "{\"id\": \"a\"}\nnot json\n";
    const auto broken = test::egmf("eval --predictions " + quoted(root() / "broken.jsonl"));
    EXPECT_EQ(broken.code, 2);
    EXPECT_NE(broken.output.find("broken.jsonl:2"), std::string::npos) << broken.output;
    EXPECT_EQ(test::egmf("eval --predictions a.csv --checkpoint b").code, 2);
    EXPECT_EQ(test::egmf("export --results " + quoted(root() / "broken.jsonl")).code, 2);
}

TEST_F(CliAnalyze, inspectCheckpoint_printsJson_andInvalidExits2) {
    const auto good = test::egmf("inspect-checkpoint " + quoted(root() / "checkpoint"));
    ASSERT_EQ(good.code, 0) << good.output;
    const auto summary = json::parse(good.output);
    EXPECT_EQ(summary["architecture"], "egmf");
    EXPECT_EQ(summary["task"], "classification");
    EXPECT_EQ(summary["labels"].size(), 7u);
    EXPECT_GT(summary["parameters"].get<std::int64_t>(), 1000);
    EXPECT_GT(summary["memoryEstimateBytes"]["float32"].get<std::int64_t>(),
              summary["memoryEstimateBytes"]["bfloat16"].get<std::int64_t>());

    // A tensor of the wrong shape for the manifest: a valid safetensors file, an invalid checkpoint.
    test::TempDir bad;
    fs::copy(root() / "checkpoint", bad.path(), fs::copy_options::recursive);
    auto manifest = readManifest(bad.path());
    ASSERT_TRUE(manifest.ok());
    manifest->fusionDim = 64;
    std::ofstream(bad.path() / "manifest.json") << serializeManifest(*manifest);
    const auto wrong = test::egmf("inspect-checkpoint " + quoted(bad.path()));
    EXPECT_EQ(wrong.code, 2) << wrong.output;
    EXPECT_NE(wrong.output.find("shape"), std::string::npos) << wrong.output;
    EXPECT_EQ(test::egmf("inspect-checkpoint /nonexistent").code, 2);
}

TEST_F(CliAnalyze, interrupt_keepsEveryFinishedDialogue_andExits1) {
    // 150 text-only dialogues (no clip folder): long enough to interrupt.
    test::TempDir big;
    std::ofstream csv(big.path() / "dev_sent_emo.csv");
    csv << kHeader;
    for (int d = 0, n = 1; d < 150; ++d) {
        for (int u = 0; u < 4; ++u, ++n) csv << row(n, "Line " + std::to_string(u) + ", more or less.", "Ross", "joy", d, u);
    }
    csv.close();
    const auto out = big.path() / "partial.jsonl";
    const auto command = test::binaryDir().string() + "/bin/egmf";
    const pid_t child = ::fork();
    if (child == 0) {
        const auto checkpoint = (root() / "checkpoint").string(), dataset = big.path().string(), file = out.string();
        ::execl(command.c_str(), "egmf", "analyze", "--checkpoint", checkpoint.c_str(), "--dataset", dataset.c_str(), "--threads", "1",
                "--out", file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (completeLines(out) == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(child, SIGINT);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of stopping";
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const auto lines = readLines(out);  // every line is whole JSON (readLines would throw otherwise)
    EXPECT_GT(lines.size(), 0u);
    EXPECT_LT(lines.size(), 600u);
    EXPECT_EQ(lines.size() % 4, 0u) << "whole dialogues only";
}

/// The engine takes features from its FeatureSource, caches them, and decodes a changed clip again.
TEST_F(CliAnalyze, engineFeatureSource_cachesClips_andSeesChanges) {
    struct Last : EngineObserver {
        DialogueResult result;
        void onResult(JobId, const DialogueResult& r) override { result = r; }
    };
    auto observer = std::make_shared<Last>();
    LocalEngine engine(observer);
    engine.setFeatureSource(makeClipFeatureSource());
    ASSERT_TRUE(engine.loadAndWait(root() / "checkpoint", {}).ok());
    test::TempDir clips;
    fs::copy(root() / "output_repeated_splits_test" / "dia0_utt0.mp4", clips.path() / "a.mp4");
    Dialogue dialogue{"d", {}, "test"};
    Utterance utterance;
    utterance.id = "u0";
    utterance.text = "Oh my God, you did it!";
    utterance.clipPath = (clips.path() / "a.mp4").string();
    dialogue.utterances.push_back(utterance);
    const auto analyse = [&] {
        engine.submit({EngineJob::Kind::Dialogue, dialogue, -1, {}, {}});
        engine.waitIdle();
        return observer->result.utterances.at(0);
    };
    const auto first = analyse(), second = analyse();
    EXPECT_TRUE(first.error.empty()) << first.error;
    EXPECT_EQ(first.probabilities, second.probabilities) << "cached features are the same features";
    EXPECT_LT(second.timings.featuresMs, first.timings.featuresMs / 10) << "the second run decodes nothing";
    fs::copy(root() / "output_repeated_splits_test" / "dia1_utt0.mp4", clips.path() / "a.mp4", fs::copy_options::overwrite_existing);
    const auto changed = analyse();
    EXPECT_NE(changed.audioLength, 0);
    EXPECT_GT(changed.timings.featuresMs, second.timings.featuresMs * 10) << "a changed clip is decoded again";
}

TEST_F(CliAnalyze, analyze_writesABundle_thatHoldsWhatTheResultsSay_andIsNeverOverwritten) {
    const auto out = root() / "bundled.jsonl", bundle = root() / "run.egmfa";
    const auto run = test::egmf("analyze " + common() + " --split test --out " + quoted(out) + " --bundle " + quoted(bundle));
    EXPECT_EQ(run.code, 1) << run.output;  // the corrupt clip, as without a bundle
    EXPECT_NE(run.output.find("KB per utterance"), std::string::npos) << run.output;
    auto contents = bundle::read(bundle);
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    EXPECT_TRUE(contents->complete);
    EXPECT_EQ(contents->identity.checkpoint, fs::canonical(root() / "checkpoint").string());
    EXPECT_EQ(contents->identity.manifestSha256, *sha256File(root() / "checkpoint" / "manifest.json"));
    EXPECT_LE(fs::file_size(bundle), 5u * 100 * 1024) << "at most 100 KB per utterance";
    for (const auto& line : readLines(out)) {
        const auto id = line["id"].get<std::string>();  // "test/dia0_utt1"
        const auto dialogue = id.substr(0, id.find("_utt"));
        const auto index = std::stoul(id.substr(id.find("_utt") + 4));
        ASSERT_TRUE(contents->dialogues.count(dialogue)) << dialogue;
        const auto& u = contents->dialogues.at(dialogue).utterances.at(index);
        EXPECT_EQ(u.prediction, line["prediction"].get<std::string>()) << id;
        EXPECT_EQ(u.error.empty(), line["error"].is_null()) << id;
        for (std::size_t k = 0; k < u.labels.size(); ++k)
            EXPECT_EQ(u.probabilities[k], line["probabilities"][u.labels[k]].get<double>()) << id;
    }
    const auto shown = test::egmf("bundle show " + quoted(bundle));
    EXPECT_EQ(shown.code, 0) << shown.output;
    EXPECT_NE(shown.output.find("2 dialogues, 5 utterances; complete"), std::string::npos) << shown.output;
    const auto again = test::egmf("analyze " + common() + " --split test --out " + quoted(out) + " --bundle " + quoted(bundle));
    EXPECT_EQ(again.code, 2);
    EXPECT_NE(again.output.find("exists already"), std::string::npos) << again.output;
}

#ifdef EGMF_WITH_REMOTE
/// `egmf serve` as its own process on a free port; stopped with SIGTERM when this goes.
class ServeProcess {
public:
    explicit ServeProcess(const std::string& arguments) {
        int out[2];
        if (::pipe(out) != 0) return;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            const auto command = "exec '" + (test::binaryDir() / "bin" / "egmf").string() + "' serve " + arguments;
            ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        // Its first line on stdout says where it listens: "... listening on HOST:PORT (TLS, ...".
        FILE* lines = ::fdopen(out[0], "r");
        char buffer[1024];
        if (lines && std::fgets(buffer, sizeof buffer, lines)) {
            m_banner = buffer;
            const auto at = m_banner.find("listening on ");
            const auto colon = m_banner.find(':', at + 13);
            if (at != std::string::npos && colon != std::string::npos) m_port = std::atoi(m_banner.c_str() + colon + 1);
        }
        if (lines) std::fclose(lines);
    }
    ~ServeProcess() { stop(); }
    int port() const { return m_port; }
    const std::string& banner() const { return m_banner; }
    /// SIGTERM, then its exit code.
    int stop() {
        if (m_pid <= 0) return m_code;
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        m_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return m_code;
    }

private:
    pid_t m_pid = -1;
    int m_port = 0, m_code = -1;
    std::string m_banner;
};

/// The results without their timings (which differ from run to run).
std::vector<json> withoutTimings(std::vector<json> lines) {
    for (auto& line : lines) line.erase("timings");
    return lines;
}

TEST_F(CliAnalyze, analyze_onAServer_equalsALocalRun_bitForBit_andIsRefusedWithoutAToken) {
    const auto state = root() / "serve-state";
    const auto added = test::egmf("serve --state-dir " + quoted(state) + " --add-client cli");
    ASSERT_EQ(added.code, 0) << added.output;
    const auto tokenAt = added.output.rfind("egmf_");
    ASSERT_NE(tokenAt, std::string::npos) << added.output;
    const auto token = added.output.substr(tokenAt, added.output.find('\n', tokenAt) - tokenAt);
    ServeProcess server("--state-dir " + quoted(state) + " --listen 127.0.0.1:0 --threads 2 --data-root " + quoted(root()));
    ASSERT_GT(server.port(), 0) << server.banner();
    EXPECT_NE(server.banner().find("SHA-256 "), std::string::npos) << server.banner();
    const auto remote = "--server 127.0.0.1:" + std::to_string(server.port()) + " --server-cert " + quoted(state / "server.crt");

    const auto localOut = root() / "local.jsonl", remoteOut = root() / "remote.jsonl";
    const auto local = test::egmf("analyze " + common() + " --split test --out " + quoted(localOut));
    ::setenv("EGMF_SERVER_TOKEN", token.c_str(), 1);
    const auto served = test::egmf("analyze " + remote + " --checkpoint " + quoted(root() / "checkpoint") + " --dataset " + quoted(root()) +
                                   " --split test --out " + quoted(remoteOut));
    ::unsetenv("EGMF_SERVER_TOKEN");
    EXPECT_EQ(local.code, 1) << local.output;  // the corrupt clip, both ways
    EXPECT_EQ(served.code, 1) << served.output;
    const auto a = withoutTimings(readLines(localOut)), b = withoutTimings(readLines(remoteOut));
    ASSERT_EQ(a.size(), 5u);
    ASSERT_EQ(b.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "line " << i << ":\n" << a[i].dump() << "\n" << b[i].dump();

    const auto refused = test::egmf("analyze " + remote + " --dataset " + quoted(root()) + " --split test --out -");
    EXPECT_EQ(refused.code, 2) << refused.output;
    EXPECT_NE(refused.output.find("no token"), std::string::npos) << refused.output;
    EXPECT_EQ(server.stop(), 0) << "SIGTERM stops the server cleanly";
}
#endif

}  // namespace
}  // namespace egmf
