#include "egmf/bench/bench_support.h"
#include "egmf/paths.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace egmf::bench {

Result<WorkDir> WorkDir::create(const std::filesystem::path& requested, const std::string& prefix) {
    if (!requested.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(requested, ec);
        if (ec) {
            return makeError(ErrorCode::Io, requested.string() + ": cannot create (" + ec.message() + ")");
        }
        return WorkDir(requested, false);
    }
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
        return makeError(ErrorCode::Io, pattern + ": cannot create a scratch folder; check the temp dir");
    }
    return WorkDir(pattern, true);
}

WorkDir::~WorkDir() {
    if (m_owned) {
        removeTree(m_path);
    }
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double peakRssMiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    }
    return 0;
}

LlmConfig llmShape(const std::string& shape) {
    LlmConfig c;
    c.modelType = "llama";
    c.rmsNormEps = 1e-5;
    if (shape == "7b") {  // Llama-2-7B
        c.vocabSize = 32000, c.hiddenSize = 4096, c.intermediateSize = 11008, c.numHiddenLayers = 32;
        c.numAttentionHeads = 32, c.numKeyValueHeads = 32;
    } else if (shape == "1b") {  // Llama-3.2-1B
        c.vocabSize = 128256, c.hiddenSize = 2048, c.intermediateSize = 8192, c.numHiddenLayers = 16;
        c.numAttentionHeads = 32, c.numKeyValueHeads = 8, c.tieWordEmbeddings = true, c.ropeTheta = 500000.0;
    } else if (shape == "glm3-6b") {  // ChatGLM3-6B (its config.json)
        c.modelType = "chatglm";
        c.vocabSize = 65024, c.hiddenSize = 4096, c.intermediateSize = 13696, c.numHiddenLayers = 28;
        c.numAttentionHeads = 32, c.numKeyValueHeads = 2, c.headDim = 128, c.attentionBias = true;
    } else if (shape == "glm-tiny") {  // the GLM layout at smoke-test size
        c.modelType = "chatglm";
        c.vocabSize = 1000, c.hiddenSize = 256, c.intermediateSize = 512, c.numHiddenLayers = 2;
        c.numAttentionHeads = 4, c.numKeyValueHeads = 2, c.headDim = 64, c.attentionBias = true;
    } else {  // "tiny": a smoke test anywhere
        c.vocabSize = 1000, c.hiddenSize = 256, c.intermediateSize = 512, c.numHiddenLayers = 2;
        c.numAttentionHeads = 4, c.numKeyValueHeads = 2;
    }
    return c;
}

}  // namespace egmf::bench
