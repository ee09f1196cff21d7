// The plugin host on a folder with every kind of file a plugin folder can hold: the good example
// plugin, one with a missing symbol, one that crashes when loaded, one for another interface
// version, one built against another LibTorch, a plain shared library and a text file. The host
// reads metadata without loading code, probes first loads in a child (`egmf plugin-probe`), and
// survives all of them; the good one inspects and loads a real (random-weight) model that
// analyses a dialogue. The native plugin reads folders and .egmf archives and refuses damaged or
// hostile ones.
#include <QCoreApplication>
#include <QSettings>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <zip.h>

#include "../engine/test_support.h"
#include "egmf/checkpoint_archive.h"
#include "egmf/huggingface.h"
#include "egmf/paths.h"
#include "host/plugin_host.h"

namespace egmf::plugin {
namespace {

/// A load the way an engine does it: the host's opener chooses the plugin and checks the fit, then
/// the prepared load reads the weights (here, on this thread).
Result<std::unique_ptr<Analyzer>> loadThrough(plugin::PluginHost& host, const std::filesystem::path& path, const LoadOptions& options) {
    auto prepared = host.opener()(path, options);
    if (!prepared) return prepared.error();
    return prepared->run({});
}

namespace fs = std::filesystem;

const QString kTestPlugins = QString::fromStdString((test::binaryDir() / "test-plugins").string());
const fs::path kBundled = test::sourceDir() / "resources" / "checkpoints" / "demo-erc";

std::map<QString, const PluginRecord*> byFile(const PluginHost& host) {
    std::map<QString, const PluginRecord*> out;
    for (const auto& r : host.plugins()) out[fs::path(r.file.toStdString()).filename().c_str()] = &r;
    return out;
}

std::size_t indexOf(const PluginHost& host, const QString& fileName) {
    for (std::size_t i = 0; i < host.plugins().size(); ++i) {
        if (host.plugins()[i].file.endsWith(fileName)) return i;
    }
    return host.plugins().size();
}

fs::path writeRandomDescription(const fs::path& folder) {
    auto manifest = test::tinyManifest();
    const auto file = folder / "tiny.egmf-random.json";
    std::ofstream(file) << "{\"seed\": 5, \"manifest\": " << serializeManifest(manifest) << "}\n";
    return file;
}

/// Forgets what earlier runs learnt by probing (they are remembered per file version).
void forgetProbes() {
    QSettings(QStringLiteral("egmf-studio"), QStringLiteral("plugin-probes")).clear();
}

TEST(PluginHost, discovery_readsMetadataOnly_andNamesEveryProblem) {
    forgetProbes();
    PluginHost host;
    host.setSearchPath({kTestPlugins});
    host.discover();
    auto files = byFile(host);
    ASSERT_TRUE(files.count("test_good_plugin.so"));
    EXPECT_EQ(files["test_good_plugin.so"]->state, PluginRecord::State::Available);
    EXPECT_EQ(files["test_good_plugin.so"]->name, QStringLiteral("good"));
    EXPECT_EQ(files["test_good_plugin.so"]->formats, QStringList{QStringLiteral("egmf-random-json")});
    EXPECT_EQ(files["test_wrong_interface_plugin.so"]->state, PluginRecord::State::WrongInterface);
    EXPECT_TRUE(files["test_wrong_interface_plugin.so"]->reason.contains(QStringLiteral("org.egmf.CheckpointLoader/0")));
    EXPECT_EQ(files["test_wrong_torch_plugin.so"]->state, PluginRecord::State::TorchMismatch);
    EXPECT_TRUE(files["test_wrong_torch_plugin.so"]->reason.contains(QStringLiteral("LibTorch 0.0.1")));
    EXPECT_EQ(files["test_stale_sdk_plugin.so"]->state, PluginRecord::State::WrongInterface);
    EXPECT_TRUE(files["test_stale_sdk_plugin.so"]->reason.contains(QStringLiteral("fingerprint 0123456789abcdef")))
        << files["test_stale_sdk_plugin.so"]->reason.toStdString();
    EXPECT_EQ(files["test_plain_library.so"]->state, PluginRecord::State::NotAPlugin);
    EXPECT_EQ(files["notes.so"]->state, PluginRecord::State::NotAPlugin);
    // Metadata reading loaded no code: the crashing plugin is still merely available.
    EXPECT_EQ(files["test_crashing_plugin.so"]->state, PluginRecord::State::Available);
    EXPECT_EQ(files["test_missing_symbol_plugin.so"]->state, PluginRecord::State::Available);
}

TEST(PluginHost, firstLoads_areProbedInAChild_soCrashesAndMissingSymbolsAreListedAsBroken) {
    forgetProbes();
    PluginHost host;
    host.setSearchPath({kTestPlugins});
    host.discover();
    QString error;
    EXPECT_EQ(host.load(indexOf(host, QStringLiteral("test_crashing_plugin.so")), &error), nullptr);
    EXPECT_TRUE(error.contains(QStringLiteral("crashed"))) << error.toStdString();
    EXPECT_EQ(host.load(indexOf(host, QStringLiteral("test_missing_symbol_plugin.so")), &error), nullptr);
    EXPECT_TRUE(error.contains(QStringLiteral("egmf_symbol_nobody_defines"))) << error.toStdString();
    EXPECT_EQ(host.load(indexOf(host, QStringLiteral("test_wrong_torch_plugin.so")), &error), nullptr);
    // Still alive, and the verdicts are remembered for the same files.
    PluginHost again;
    again.setSearchPath({kTestPlugins});
    again.discover();
    auto files = byFile(again);
    EXPECT_EQ(files["test_crashing_plugin.so"]->state, PluginRecord::State::Broken);
    EXPECT_EQ(files["test_missing_symbol_plugin.so"]->state, PluginRecord::State::Broken);
}

TEST(PluginHost, goodPlugin_inspectsLoadsAnalyses_andUnloads) {
    test::TempDir dir;
    const auto description = writeRandomDescription(dir.path());
    PluginHost host;
    host.setSearchPath({kTestPlugins});
    host.discover();
    auto match = host.loaderFor(description);
    ASSERT_TRUE(match.ok()) << match.error().message;
    EXPECT_EQ(host.plugins()[match->index].name, QStringLiteral("good"));
    auto info = match->loader->inspect(description);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.fusionDim, test::tinyManifest().fusionDim);
    std::vector<double> steps;
    auto analyzer = match->loader->load(description, {"cpu", "float32"}, {[&](double p) { steps.push_back(p); }});
    ASSERT_TRUE(analyzer.ok()) << analyzer.error().message;
    ASSERT_FALSE(steps.empty());
    EXPECT_DOUBLE_EQ(steps.back(), 1.0);
    const auto dialogue = test::randomDialogue((*analyzer)->manifest(), {"", "a"}, 3);
    const std::atomic<bool> cancel{false};
    auto result = (*analyzer)->analyzeDialogue(dialogue, {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->utterances.size(), 2u);
    analyzer->reset();  // the plugin's code must outlive its objects
    host.unload(match->index);
    EXPECT_EQ(host.plugins()[match->index].state, PluginRecord::State::Available);
    // Nothing reads a file no plugin knows; the error lists every plugin's reason.
    auto none = host.loaderFor(dir.path() / "nothing.bin");
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("crashing"), std::string::npos) << none.error().message;
}

TEST(PluginHost, aPluginThatThrowsInLoad_isReportedByName_andTheHostGoesOn) {
    test::TempDir dir;
    const auto folder = dir.path() / "odd-checkpoint";
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "throw-in-load") << "";
    PluginHost host;
    host.setSearchPath({kTestPlugins});
    host.discover();
    auto loaded = loadThrough(host, folder, {"cpu", "auto"});
    ASSERT_FALSE(loaded.ok());
    const auto& message = loaded.error().message;
    EXPECT_NE(message.find("\"throwing\" threw in load"), std::string::npos) << message;
    EXPECT_NE(message.find("the weights are not what this plugin expected"), std::string::npos) << message;
    EXPECT_NE(message.find(folder.string()), std::string::npos) << message;
    // The same host loads a good checkpoint afterwards.
    const auto description = writeRandomDescription(dir.path());
    auto good = loadThrough(host, description, {"cpu", "float32"});
    EXPECT_TRUE(good.ok()) << good.error().message;
}

TEST(NativePlugin, readsFoldersAndArchives_andRefusesDamagedOnes) {
    test::TempDir dir;
    PluginHost host;  // the installed plugins: the native one among them
    host.discover();
    auto folder = host.loaderFor(kBundled);
    ASSERT_TRUE(folder.ok()) << folder.error().message;
    EXPECT_EQ(host.plugins()[folder->index].name, QStringLiteral("EGMF native checkpoint"));
    auto fromFolder = folder->loader->inspect(kBundled);
    ASSERT_TRUE(fromFolder.ok()) << fromFolder.error().message;

    const auto archive = dir.path() / "demo.egmf";
    ASSERT_TRUE(packCheckpointArchive(kBundled, archive).ok());
    auto fromArchive = loadThrough(host, archive, {"cpu", "float32"});
    ASSERT_TRUE(fromArchive.ok()) << fromArchive.error().message;
    EXPECT_EQ((*fromArchive)->manifest().labels, fromFolder->manifest.labels);

    // A damaged manifest: the folder is refused by name.
    const auto broken = dir.path() / "broken";
    fs::create_directories(broken);
    fs::copy(kBundled, broken, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    std::ofstream(broken / "manifest.json") << "{ not json";
    auto refused = host.loaderFor(broken);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("manifest.json"), std::string::npos) << refused.error().message;

    // A truncated archive and one whose entry climbs out of its folder.
    const auto truncated = dir.path() / "cut.egmf";
    {
        std::ifstream in(archive, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    auto cut = unpackCheckpointArchive(truncated, dir.path() / "cache");
    ASSERT_FALSE(cut.ok());
    EXPECT_NE(cut.error().message.find("cut.egmf"), std::string::npos);
    const auto hostile = dir.path() / "hostile.egmf";
    int error = 0;
    zip_t* z = zip_open(hostile.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    ASSERT_NE(z, nullptr);
    static const char kText[] = "x";
    zip_file_add(z, "../escaped.txt", zip_source_buffer(z, kText, 1, 0), 0);
    ASSERT_EQ(zip_close(z), 0);
    auto climbed = unpackCheckpointArchive(hostile, dir.path() / "cache");
    ASSERT_FALSE(climbed.ok());
    EXPECT_NE(climbed.error().message.find("../escaped.txt"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir.path() / "escaped.txt"));
}

TEST(HuggingFacePlugin, takesHuggingFaceLayouts_loadsAndAnalyses_andRefusesDamagedOnes) {
    test::TempDir dir;
    PluginHost host;
    host.discover();
    const auto hf = dir.path() / "hf";
    ASSERT_TRUE(exportHuggingFaceCheckpoint(kBundled, hf).ok());
    auto match = host.loaderFor(hf);
    ASSERT_TRUE(match.ok()) << match.error().message;
    EXPECT_EQ(host.plugins()[match->index].name, QStringLiteral("Hugging Face LLM + PEFT LoRA + EGMF fusion"));
    auto info = match->loader->inspect(hf);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.llm.hiddenSize, 128);
    auto loaded = loadThrough(host, hf, {"cpu", "auto"});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*loaded)->analyzeDialogue(test::randomDialogue((*loaded)->manifest(), {"", "av"}, 9), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->utterances.size(), 2u);
    EXPECT_EQ(result->utterances[0].probabilities.size(), 7u);

    // A bare Hugging Face model folder: the reason says what is missing.
    auto bare = host.loaderFor(hf / "base");
    ASSERT_FALSE(bare.ok());
    EXPECT_NE(bare.error().message.find("without the EGMF parts"), std::string::npos) << bare.error().message;
    // Truncated fusion weights: inspect names the file.
    {
        std::ifstream in(hf / "fusion.safetensors", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(hf / "fusion.safetensors", std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 100);
    }
    auto damaged = match->loader->inspect(hf);
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("fusion.safetensors"), std::string::npos) << damaged.error().message;
}

TEST(MeritsPlugin, takesMeritsCheckpoints_inspectsLoadsAnalyses_andRefusesDamagedOnes) {
    test::TempDir dir;
    PluginHost host;
    host.discover();
    const auto bundled = test::sourceDir() / "resources" / "checkpoints" / "demo-merits-l";
    auto match = host.loaderFor(bundled);
    ASSERT_TRUE(match.ok()) << match.error().message;
    EXPECT_EQ(host.plugins()[match->index].name, QStringLiteral("MERITS-L (speech + text, co-attention)"));
    auto info = match->loader->inspect(bundled);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->manifest.architecture, "merits-l");
    EXPECT_FALSE(info->manifest.substitutes.empty());
    auto loaded = loadThrough(host, bundled, {"cpu", "float32"});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    std::atomic<bool> cancel{false};
    auto result = (*loaded)->analyzeDialogue(test::randomDialogue((*loaded)->manifest(), {"", "v", "a"}, 4), {}, cancel);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->utterances.size(), 3u);
    // The native plugin leaves MERITS-L to its plugin; a damaged copy is refused naming the file.
    const auto damaged = dir.path() / "damaged";
    fs::create_directories(damaged);
    fs::copy(bundled, damaged, fs::copy_options::recursive);
    fs::resize_file(damaged / "model.safetensors", fs::file_size(damaged / "model.safetensors") / 2);
    auto refused = match->loader->inspect(damaged);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("model.safetensors"), std::string::npos) << refused.error().message;
}

TEST(RandomPlugin, refusesADamagedDescription_namingIt) {
    test::TempDir dir;
    PluginHost host;
    host.discover();
    const auto description = dir.path() / "broken.egmf-random.json";
    std::ofstream(description) << R"({"manifest": {"architecture": "egmf"}, "seed": "x"})";
    auto match = host.loaderFor(description);
    ASSERT_TRUE(match.ok()) << match.error().message;
    auto info = match->loader->inspect(description);
    ASSERT_FALSE(info.ok());
    EXPECT_NE(info.error().message.find("broken.egmf-random.json"), std::string::npos) << info.error().message;
}

}  // namespace
}  // namespace egmf::plugin

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
