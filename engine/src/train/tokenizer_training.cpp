#include "tokenizer_training.h"

#include <cstdio>
#include <fstream>
#include <set>

#include "egmf/app/process.h"
#include "egmf/app/tokenizer.h"

namespace egmf::train {

namespace fs = std::filesystem;

Result<int> trainTokenizer(const fs::path& folder, const std::vector<Dialogue>& training, const Manifest& manifest, int vocabSize) {
    const auto corpus = folder / "tokenizer-corpus.txt";
    {
        std::ofstream out(corpus);
        std::set<std::string> speakers;
        for (const auto& dialogue : training) {
            for (const auto& u : dialogue.utterances) {
                out << u.text << '\n';
                speakers.insert(u.speaker);
            }
        }
        // The prompt's own words, many times, so they become whole pieces.
        std::string fixed = manifest.prompt.templateText;
        for (const char* placeholder : {"{history}", "{speaker}", "{text}", "{multimodal}", "{labels}", "{score_min}", "{score_max}"}) {
            for (auto at = fixed.find(placeholder); at != std::string::npos; at = fixed.find(placeholder))
                fixed.replace(at, std::string(placeholder).size(), " ");
        }
        for (int i = 0; i < 50; ++i) {
            out << fixed << '\n';
            for (const auto& label : manifest.labels) out << "The emotion is " << label << '\n';
            for (const auto& speaker : speakers) out << speaker << ":\n";
        }
        for (int score = -30; score <= 30; ++score) out << "The sentiment is " << score / 10.0 << '\n';
        if (!out) return makeError(ErrorCode::Io, corpus.string() + ": cannot write the tokenizer corpus");
    }
    // Each label is one piece (and each digit, for scores): the answer the LLM learns to give is a
    // single token after the prompt, not a spelling.
    std::string symbols;
    for (const auto& label : manifest.labels) symbols += (symbols.empty() ? "" : ",") + label;
    if (manifest.task == Task::Regression) symbols = "0,1,2,3,4,5,6,7,8,9";
    const auto prefix = (folder / "tokenizer").string();
    const auto train = [&](int size) {
        return runProcess({"spm_train", "--user_defined_symbols=" + symbols, "--input=" + corpus.string(), "--model_prefix=" + prefix,
                           "--vocab_size=" + std::to_string(size), "--model_type=unigram", "--byte_fallback=true",
                           "--character_coverage=1.0", "--hard_vocab_limit=false", "--minloglevel=2", "--num_threads=1", "--random_seed=1",
                           "--shuffle_input_sentence=false"});
    };
    auto trained = train(vocabSize);
    // A vocabulary smaller than the corpus's characters + the 256 bytes + the labels: spm_train
    // says how many it needs ("... 300 vs 318."); take that and some room.
    if (trained && trained->exitCode != 0) {
        const auto at = trained->output.find("smaller than required_chars. ");
        int needed = 0, asked = 0;
        if (at != std::string::npos && std::sscanf(trained->output.c_str() + at + 29, "%d vs %d", &asked, &needed) == 2 && needed > asked) {
            trained = train(needed + 64);
        }
    }
    if (!trained) return trained.error();
    if (trained->exitCode != 0) {
        return makeError(ErrorCode::Io, "spm_train failed on " + corpus.string() + ": " + trained->output.substr(0, 400));
    }
    fs::remove(corpus);
    fs::remove(prefix + ".vocab");
    auto tokenizer = tokenizer::loadTokenizerFile(prefix + ".model");
    if (!tokenizer) return tokenizer.error();
    return static_cast<int>((*tokenizer)->vocabSize());
}

}  // namespace egmf::train
