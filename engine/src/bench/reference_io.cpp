#include "reference_io.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "egmf/paths.h"
#include "loading/weights.h"

namespace egmf::runtime {
namespace {

std::string prefix(std::size_t index) {
    return "u" + std::to_string(index) + ".";
}

// A shell word: the arguments are our own paths, but quote them anyway.
std::string quoted(const std::string& word) {
    std::string out = "'";
    for (char c : word) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

}  // namespace

Result<void> writeReferenceInputs(const std::filesystem::path& path, EgmfRunner& runner, const Dialogue& dialogue,
                                  const AnalyzeOptions& options, int maxNewTokens) {
    std::map<std::string, at::Tensor> tensors;
    for (std::size_t i = 0; i < dialogue.utterances.size(); ++i) {
        std::vector<std::int32_t> textIds;
        auto inputs = runner.inputsFor(dialogue.utterances[i], options, textIds);
        if (!inputs) {
            return inputs.error();
        }
        const auto p = prefix(i);
        tensors[p + "text_ids"] = model::idsTensor(textIds);
        tensors[p + "audio"] = inputs->audio.to(at::kCPU, at::kFloat);
        tensors[p + "visual"] = inputs->visual.to(at::kCPU, at::kFloat);
        const auto prompt = runner.prompts().build(dialogue, i, !options.disabledModalities[static_cast<std::size_t>(Modality::Text)]);
        tensors[p + "prefix"] = model::idsTensor(prompt.prefix);
        tensors[p + "suffix"] = model::idsTensor(prompt.suffix);
    }
    for (std::size_t k = 0; k < runner.answers().size(); ++k) {
        tensors["answer" + std::to_string(k)] = model::idsTensor(runner.answers()[k]);
    }
    std::string disabled;  // what the engine switches off: the analysis's choice and the experts the model lacks
    const auto off = options.disabledExperts | runner.manifest().removedExperts;
    for (std::size_t k = 0; k < off.size(); ++k) {
        disabled += off[k] ? '1' : '0';
    }
    return loading::saveTensors(path, tensors,
                                {{"utterances", std::to_string(dialogue.utterances.size())},
                                 {"answers", std::to_string(runner.answers().size())},
                                 {"max_new_tokens", std::to_string(maxNewTokens)},
                                 {"disabled_experts", disabled},
                                 {"score_labels", options.scoreLabels ? "1" : "0"}});
}

std::map<std::string, at::Tensor> traceTensors(std::size_t index, const UtteranceTrace& t) {
    const auto p = prefix(index);
    std::map<std::string, at::Tensor> out{
        {p + "H_t", t.encoded.text},
        {p + "H_a", t.encoded.audio},
        {p + "H_v", t.encoded.visual},
        {p + "H_f", t.encoded.fusion.fused},
        {p + "text_to_av", t.encoded.fusion.textToAv},
        {p + "av_to_text", t.encoded.fusion.avToText},
        {p + "context", t.context},
        {p + "g_f", t.enhanced.gates.featureGates},
        {p + "g_c", t.enhanced.gates.contextGates},
        {p + "g", t.enhanced.gates.gates},
        {p + "alpha", t.enhanced.gates.alpha},
        {p + "H_enh", t.enhanced.enhanced},
        {p + "pseudo", t.pseudo},
        {p + "prompt_logits", t.promptLogits},
        {p + "generated", model::idsTensor(t.generated)},
        {p + "label_logprobs", at::tensor(t.labelLogProbs, at::TensorOptions().dtype(at::kDouble))
                                   .to(at::kFloat)
                                   .reshape({static_cast<std::int64_t>(t.labelLogProbs.size())})},
    };
    if (t.enhanced.gates.modalityGates.defined()) out[p + "g_modality"] = t.enhanced.gates.modalityGates;
    return out;
}

Result<std::string> runReference(const std::string& python, const std::vector<std::string>& arguments) {
    std::string command = quoted(python) + " " + quoted(referenceScript().string());
    for (const auto& argument : arguments) {
        command += " " + quoted(argument);
    }
    command += " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
        return makeError(ErrorCode::Io, "cannot start " + python + " for the PyTorch reference");
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) {
        output += buffer.data();
    }
    const int status = ::pclose(pipe);
    if (status != 0) {
        return makeError(ErrorCode::Internal, referenceScript().string() + " failed (exit " +
                                                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                                  "); is python3-torch installed (scripts/setup.sh)? Output:\n" + output);
    }
    return output;
}

std::string referencePython() {
    if (const char* chosen = std::getenv("EGMF_PYTHON"); chosen && *chosen) {
        return chosen;
    }
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

std::filesystem::path referenceScript() {
    return shareDir() / "reference" / "egmf_reference.py";
}

}  // namespace egmf::runtime
