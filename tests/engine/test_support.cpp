#include "test_support.h"
#include "egmf/paths.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace egmf::test {

const std::filesystem::path& binaryDir() {
    static const auto dir = std::filesystem::canonical("/proc/self/exe").parent_path().parent_path();
    return dir;
}

const std::filesystem::path& sourceDir() {
    static const auto dir = [] {
        const auto cacheFile = binaryDir() / "CMakeCache.txt";
        std::ifstream cache(cacheFile);
        const std::string key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
        for (std::string line; std::getline(cache, line);) {
            if (line.starts_with(key)) return std::filesystem::path(line.substr(key.size()));
        }
        throw std::runtime_error(cacheFile.string() + " names no source folder: run the test binaries where CMake built them");
    }();
    return dir;
}

Manifest tinyManifest() {
    Manifest m = demoManifest();
    m.fusionDim = 32;
    m.fusionHeads = 4;
    m.audioFeatureDim = 12;
    m.audioHeads = 2;
    m.audioFeedForward = 40;
    m.visualFeatureDim = 20;
    m.contextHidden = 8;
    m.pseudoTokens = 3;
    m.prompt.maxNewTokens = 6;
    m.prompt.historyTurns = 2;
    m.llm.vocabSize = 300;
    m.llm.hiddenSize = 48;
    m.llm.intermediateSize = 64;
    m.llm.numHiddenLayers = 2;
    m.llm.numAttentionHeads = 4;
    m.llm.numKeyValueHeads = 2;
    m.llm.attentionBias = true;
    m.llm.tieWordEmbeddings = false;
    m.lora = LoraConfig{4, 8, 0.0, false, {"q_proj", "v_proj", "gate_proj"}};
    return m;
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "egmf-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        throw std::runtime_error("cannot create a temporary folder");
    }
    m_path = pattern;
}

TempDir::~TempDir() {
    removeTree(m_path);
}

Dialogue randomDialogue(const Manifest& m, const std::vector<std::string>& missing, unsigned seed) {
    static const char* const kTexts[] = {"Hi there!", "Wait, what?", "I can't believe it...", "Ok.", "That's 好 news 😀"};
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> audioFrames(9, 60), visualFrames(1, 7);
    Dialogue d{"d" + std::to_string(seed), {}, {}};
    for (std::size_t i = 0; i < missing.size(); ++i) {
        Utterance u;
        u.id = "dia0_utt" + std::to_string(i);
        u.speaker = i % 2 ? "Ross" : "Rachel";
        const auto& gone = missing[i];
        u.text = gone.find('t') == std::string::npos ? kTexts[i % std::size(kTexts)] : "";
        auto fill = [&](FeatureSequence& f, std::int64_t dim, int frames, double fps) {
            f.dim = dim;
            f.frames = frames;
            f.framesPerSecond = fps;
            f.values.resize(static_cast<std::size_t>(frames * dim));
            for (auto& v : f.values) {
                v = normal(rng);
            }
        };
        if (gone.find('a') == std::string::npos) {
            fill(u.audio, m.audioFeatureDim, audioFrames(rng), m.audioFramesPerSecond);
        }
        if (gone.find('v') == std::string::npos) {
            fill(u.visual, m.visualFeatureDim, visualFrames(rng), m.visualFramesPerSecond);
        }
        d.utterances.push_back(std::move(u));
    }
    return d;
}

}  // namespace egmf::test
