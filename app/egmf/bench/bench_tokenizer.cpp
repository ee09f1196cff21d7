// egmf bench tokenizer --tokenizer FILE --lines FILE: encoding throughput on a corpus (one
// utterance per line; scripts/bench-tokenizers.sh feeds it all MELD utterances), medians over
// whole passes, single thread.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "egmf/app/tokenizer.h"
#include "egmf/bench/bench_support.h"

namespace egmf::cli {

Command addTokenizerBench(CLI::App& bench) {
    auto* command = bench.add_subcommand("tokenizer", "Tokenizer encoding throughput on a corpus, one thread");
    struct Options {
        std::string tokenizer, lines;
        int repeats = 5;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--tokenizer", options->tokenizer, "tokenizer.json or SentencePiece .model")->required();
    command->add_option("--lines", options->lines, "UTF-8 text, one utterance per line")->required();
    command->add_option("--repeats", options->repeats)->check(CLI::Range(1, 100))->capture_default_str();
    return [options]() {
        const auto loadStart = std::chrono::steady_clock::now();
        auto tokenizer = tokenizer::loadTokenizerFile(options->tokenizer);
        const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loadStart).count();
        if (!tokenizer.ok()) {
            std::fprintf(stderr, "error: %s\n", tokenizer.error().message.c_str());
            return 2;
        }
        std::ifstream in(options->lines);
        if (!in) {
            std::fprintf(stderr, "error: %s: cannot open the corpus\n", options->lines.c_str());
            return 2;
        }
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        std::vector<double> passes;
        std::size_t tokens = 0, bytes = 0;
        for (int run = 0; run <= options->repeats; ++run) {  // run 0 warms up
            tokens = 0;
            const auto start = std::chrono::steady_clock::now();
            for (const auto& line : lines) tokens += (*tokenizer)->encode(line).size();
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (run > 0) passes.push_back(ms);
        }
        for (const auto& line : lines) bytes += line.size();
        const double ms = bench::median(passes);
        std::printf("%-48s %6zu utterances %8zu tokens  load %7.1f ms  pass %8.1f ms  %9.0f utt/s  %7.2f MB/s\n",
                    options->tokenizer.substr(options->tokenizer.size() > 48 ? options->tokenizer.size() - 48 : 0).c_str(), lines.size(),
                    tokens, loadMs, ms, lines.size() * 1000.0 / ms, bytes / 1000.0 / ms);
        return 0;
    };
}

}  // namespace egmf::cli
