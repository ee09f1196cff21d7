// egmf tokenize --tokenizer FILE [--add-special] [--decode]: one line of stdin in, one line out.
// Encoding prints space-separated ids (no special tokens unless --add-special); --decode reads
// space-separated ids and prints the text. For checking a tokenizer against its reference
// (spm_encode, the Hugging Face libraries) and for scripts.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "commands.h"
#include "egmf/app/tokenizer.h"

namespace egmf::cli {

Command addTokenizeCommand(CLI::App& app) {
    auto* command = app.add_subcommand("tokenize", "Encode stdin lines to token ids (or --decode ids to text)");
    struct Options {
        std::string file;
        bool addSpecial = false;
        bool decode = false;
    };
    auto options = std::make_shared<Options>();
    command->add_option("--tokenizer", options->file, "tokenizer.json or SentencePiece .model")->required();
    command->add_flag("--add-special", options->addSpecial, "Add the special tokens of the tokenizer's template (BOS...)");
    command->add_flag("--decode", options->decode, "Read ids, print text");
    return [options]() {
        auto tokenizer = tokenizer::loadTokenizerFile(options->file);
        if (!tokenizer.ok()) {
            std::fprintf(stderr, "error: %s\n", tokenizer.error().message.c_str());
            return 2;
        }
        std::ios::sync_with_stdio(false);
        std::string line, out;
        int lineNumber = 0;
        while (std::getline(std::cin, line)) {
            ++lineNumber;
            out.clear();
            if (options->decode) {
                std::istringstream fields(line);
                std::vector<std::int32_t> ids;
                std::string field;
                while (fields >> field) {
                    char* end = nullptr;
                    const long id = std::strtol(field.c_str(), &end, 10);
                    if (*end != '\0' || id < 0 || id >= (*tokenizer)->vocabSize()) {
                        std::fprintf(stderr, "error: stdin line %d: \"%s\" is not a token id of %s\n", lineNumber, field.c_str(),
                                     options->file.c_str());
                        return 2;
                    }
                    ids.push_back(static_cast<std::int32_t>(id));
                }
                out = (*tokenizer)->decode(ids);
            } else {
                const auto ids = options->addSpecial ? (*tokenizer)->encodeWithSpecials(line) : (*tokenizer)->encode(line);
                for (std::size_t i = 0; i < ids.size(); ++i) {
                    if (i) out += ' ';
                    out += std::to_string(ids[i]);
                }
            }
            out += '\n';
            std::fwrite(out.data(), 1, out.size(), stdout);
        }
        return 0;
    };
}

}  // namespace egmf::cli
