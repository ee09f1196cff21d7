// Analysis bundles: float16 as numpy rounds it (numpy run as its own process); a result written
// and read back equal to it (attention to float16); a writer killed mid-run leaves every dialogue
// it finished readable; parts of a run merge only when complete, of one run, and every rank is
// there; changed clips are noticed; files that are not bundles, or of a newer format, are
// refused with the reason.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "bundle/float16.h"
#include "egmf/app/analysis_bundle.h"
#include "test_support.h"

namespace egmf::bundle {
namespace {

namespace fs = std::filesystem;

std::vector<char> readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

TEST(Float16, roundsAsNumpyDoes_andWidensAsNumpyDoes) {
    test::TempDir dir;
    std::vector<float> values = {0.0f,      -0.0f,          1.0f,           -1.0f,          65504.0f,       65519.0f,        65520.0f, 1e6f,
                                 -1e6f,     6.1035156e-05f, 6.0e-05f,       5.9604645e-08f, 2.9802322e-08f, 2.98023259e-08f, 1e-9f,    0.1f,
                                 0.333333f, 1.0009766f,     1.00048828125f, 1.00146484375f, INFINITY,       -INFINITY};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
    std::uniform_int_distribution<int> exponent(-30, 17);
    for (int i = 0; i < 20000; ++i) values.push_back(std::ldexp(mantissa(rng), exponent(rng)));
    const auto in = dir.path() / "in.f32", out = dir.path() / "out.f16", all = dir.path() / "all.f32";
    std::ofstream(in, std::ios::binary)
        .write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
    const std::string script =
        "import numpy as np, sys\n"
        "np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float16).tofile(sys.argv[2])\n"
        "np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32).tofile(sys.argv[3])\n";
    ASSERT_EQ(
        std::system(("/usr/bin/python3 -c '" + script + "' '" + in.string() + "' '" + out.string() + "' '" + all.string() + "'").c_str()),
        0);
    const auto halves = readBytes(out);
    ASSERT_EQ(halves.size(), values.size() * 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint16_t expected = 0;
        std::memcpy(&expected, halves.data() + i * 2, 2);
        ASSERT_EQ(toHalf(values[i]), expected) << "value " << values[i];
    }
    const auto widened = readBytes(all);
    ASSERT_EQ(widened.size(), 65536u * 4);
    for (std::uint32_t h = 0; h < 65536; ++h) {
        const float mine = fromHalf(static_cast<std::uint16_t>(h));
        float numpy = 0;
        std::memcpy(&numpy, widened.data() + h * 4, 4);
        if (std::isnan(numpy)) {
            EXPECT_TRUE(std::isnan(mine)) << h;
        } else {
            ASSERT_EQ(std::memcmp(&mine, &numpy, 4), 0) << "half 0x" << std::hex << h;
        }
    }
}

Matrix randomMatrix(std::mt19937& rng, std::vector<std::int64_t> shape) {
    Matrix m{{}, shape};
    std::uniform_real_distribution<float> value(0.0f, 1.0f);
    m.values.resize(static_cast<std::size_t>(m.numel()));
    for (auto& v : m.values) v = value(rng);
    return m;
}

DialogueResult randomResult(const std::string& id, int utterances, unsigned seed) {
    std::mt19937 rng(seed);
    DialogueResult result{id, {}};
    for (int i = 0; i < utterances; ++i) {
        UtteranceResult u;
        u.utteranceId = id + "_utt" + std::to_string(i);
        u.warnings = {"audio longer than 60 s; decoded the first 60 s"};
        u.generated = "joy";
        u.prediction = "joy";
        u.scoredPrediction = "joy";
        u.labels = {"neutral", "joy", "sadness"};
        u.labelLogProbs = {-2.5, -0.1 * (i + 1), -3.0};
        u.probabilities = {0.08, 0.9 - 0.01 * i, 0.02 + 0.01 * i};
        u.tokenIds = {72, 105, 33};
        u.tokenPieces = {"H", "i", "!"};
        u.textLength = 3;
        u.audioLength = 5;
        u.visualLength = 2;
        for (int p = 0; p < 10; ++p) u.positions.push_back({static_cast<Modality>(p < 3 ? 0 : p < 8 ? 1 : 2), 0.1 * p});
        u.attention = {randomMatrix(rng, {4, 3, 7}), randomMatrix(rng, {4, 7, 3})};
        u.gates = {randomMatrix(rng, {10, 3}), randomMatrix(rng, {10, 3}), randomMatrix(rng, {10, 3}), randomMatrix(rng, {10}).values};
        u.timings = {1.5, 2, 3, 4, 5, 6, 7, 8};
        if (i == 1) u.error = "dia0_utt1.mp4: no audio or video stream; analysed from its text";
        if (i == 2) u.predictedScore = -1.25;
        result.utterances.push_back(std::move(u));
    }
    return result;
}

Identity identity(int rank = 0, int ranks = 1) {
    Identity id;
    id.manifestJson = R"({"architecture":"egmf"})";
    id.manifestSha256 = std::string(64, 'a');
    id.checkpoint = "/models/demo-erc";
    id.loader = "native";
    id.device = "cpu";
    id.dtype = "float32";
    id.dataset = "/corpora/demo";
    id.rank = rank;
    id.ranks = ranks;
    id.createdBy = "egmf test";
    return id;
}

void expectAsWritten(const DialogueResult& written, const DialogueResult& read) {
    ASSERT_EQ(read.dialogueId, written.dialogueId);
    ASSERT_EQ(read.utterances.size(), written.utterances.size());
    for (std::size_t i = 0; i < written.utterances.size(); ++i) {
        const auto &a = written.utterances[i], &b = read.utterances[i];
        EXPECT_EQ(a.utteranceId, b.utteranceId);
        EXPECT_EQ(a.error, b.error);
        EXPECT_EQ(a.warnings, b.warnings);
        EXPECT_EQ(a.probabilities, b.probabilities) << "exact";
        EXPECT_EQ(a.labelLogProbs, b.labelLogProbs);
        EXPECT_EQ(a.predictedScore, b.predictedScore);
        EXPECT_EQ(a.tokenPieces, b.tokenPieces);
        EXPECT_EQ(a.gates.gates.values, b.gates.gates.values) << "gates are kept in float32";
        EXPECT_EQ(a.gates.alpha, b.gates.alpha);
        EXPECT_EQ(a.attention.textToAv.shape, b.attention.textToAv.shape);
        ASSERT_EQ(a.attention.avToText.values.size(), b.attention.avToText.values.size());
        for (std::size_t k = 0; k < a.attention.avToText.values.size(); ++k)
            ASSERT_EQ(fromHalf(toHalf(a.attention.avToText.values[k])), b.attention.avToText.values[k]);
        ASSERT_EQ(a.positions.size(), b.positions.size());
        EXPECT_EQ(a.positions.back().modality, b.positions.back().modality);
        EXPECT_EQ(a.timings.scoreMs, b.timings.scoreMs);
    }
}

TEST(AnalysisBundle, aResultReadsBackAsWritten_andTheIdentityWithIt) {
    test::TempDir dir;
    const auto file = dir.path() / "run.egmfa";
    const auto clip = dir.path() / "clip.mp4";
    std::ofstream(clip) << "not really a clip";
    Dialogue input{"dia0", {}, "test"};
    input.utterances.resize(3);
    input.utterances[0].clipPath = clip.string();
    const auto written = randomResult("dia0", 3, 1), second = randomResult("dia1", 2, 2);
    {
        auto writer = Writer::create(file, identity());
        ASSERT_TRUE(writer.ok()) << writer.error().message;
        ASSERT_TRUE(writer->add(input, written).ok());
        ASSERT_TRUE(writer->add(Dialogue{"dia1", {}, "test"}, second).ok());
        EXPECT_FALSE(writer->add(input, written).ok()) << "a dialogue is written once";
        ASSERT_TRUE(writer->finish(2).ok());
    }
    auto contents = read(file);
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    EXPECT_EQ(contents->formatVersion, kFormatVersion);
    EXPECT_EQ(contents->identity.manifestSha256, identity().manifestSha256);
    EXPECT_EQ(contents->identity.dataset, "/corpora/demo");
    EXPECT_TRUE(contents->complete);
    EXPECT_EQ(contents->dialogueOrder, (std::vector<std::string>{"dia0", "dia1"}));
    expectAsWritten(written, contents->dialogues.at("dia0"));
    expectAsWritten(second, contents->dialogues.at("dia1"));
    EXPECT_TRUE(changedClips(*contents).empty());
    std::ofstream(clip, std::ios::app) << " changed";
    EXPECT_EQ(changedClips(*contents), std::vector<std::string>{clip.string()});
    EXPECT_FALSE(Writer::create(file, identity()).ok()) << "an existing bundle is never overwritten";
}

TEST(AnalysisBundle, aWriterKilledMidRun_leavesEveryFinishedDialogueReadable) {
    test::TempDir dir;
    const auto file = dir.path() / "killed.egmfa";
    const pid_t child = ::fork();
    if (child == 0) {
        auto writer = Writer::create(file, identity());
        for (int d = 0; d < 3 && writer.ok(); ++d) {
            if (!writer->add(Dialogue{"dia" + std::to_string(d), {}, "test"}, randomResult("dia" + std::to_string(d), 4, d)).ok())
                ::_exit(3);
        }
        ::kill(::getpid(), SIGKILL);  // mid-run: no finish(), nothing closed
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    auto contents = read(file);
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    EXPECT_EQ(contents->dialogues.size(), 3u);
    EXPECT_FALSE(contents->complete);
    expectAsWritten(randomResult("dia2", 4, 2), contents->dialogues.at("dia2"));
}

TEST(AnalysisBundle, partsMerge_onlyWhenCompleteOfOneRun_andEveryRankIsThere) {
    test::TempDir dir;
    auto part = [&](int rank, int ranks, bool finished, std::string dataset = "/corpora/demo") {
        const auto file = dir.path() / ("part" + std::to_string(rank) + "of" + std::to_string(ranks) + dataset.back() + ".egmfa");
        auto id = identity(rank, ranks);
        id.dataset = dataset;
        auto writer = Writer::create(file, id);
        EXPECT_TRUE(writer.ok());
        for (int d = 0; d < 2; ++d) {
            const auto name = "dia" + std::to_string(rank * 2 + d);
            EXPECT_TRUE(writer->add(Dialogue{name, {}, "test"}, randomResult(name, 2, rank * 2 + d)).ok());
        }
        if (finished) {
            EXPECT_TRUE(writer->finish(2).ok());
        }
        return file;
    };
    const auto p0 = part(0, 2, true), p1 = part(1, 2, true), unfinished = part(1, 2, false, "/corpora/demX");
    const auto other = part(1, 2, true, "/corpora/elsewhere");
    const auto merged = dir.path() / "merged.egmfa";
    ASSERT_TRUE(merge({p1, p0}, merged).ok());
    auto contents = read(merged);
    ASSERT_TRUE(contents.ok());
    EXPECT_TRUE(contents->complete);
    EXPECT_EQ(contents->dialogueOrder, (std::vector<std::string>{"dia0", "dia1", "dia2", "dia3"}));
    EXPECT_EQ(contents->identity.ranks, 1);
    expectAsWritten(randomResult("dia3", 2, 3), contents->dialogues.at("dia3"));
    const auto refusal = [&](const std::vector<fs::path>& parts, const std::string& expected) {
        const auto out = dir.path() / ("refused" + std::to_string(std::rand()) + ".egmfa");
        const auto merged = merge(parts, out);
        ASSERT_FALSE(merged.ok());
        EXPECT_NE(merged.error().message.find(expected), std::string::npos) << merged.error().message;
    };
    refusal({p0, unfinished}, "unfinished part");
    refusal({p0, other}, "another run");
    refusal({p0}, "2 ranks; 1 parts");
    refusal({p0, p0}, "given twice");
}

TEST(AnalysisBundle, aClusterRunsParts_mergeInTheGivenOrder_aDeadRanksPartIncluded_theLowerRankWinning) {
    test::TempDir dir;
    // Rank 1 died after dia2 (no completion record); rank 0 took its dia3 over; a slow rank 2
    // finished dia1 after rank 0 had redone it: dia1 is in two parts, with other values in each.
    auto part = [&](const std::string& name, int rank, const std::vector<std::pair<std::string, unsigned>>& dialogues, bool finished) {
        const auto file = dir.path() / name;
        auto writer = Writer::create(file, identity(rank, 3));
        EXPECT_TRUE(writer.ok());
        for (const auto& [id, seed] : dialogues) EXPECT_TRUE(writer->add(Dialogue{id, {}, "test"}, randomResult(id, 2, seed)).ok());
        if (finished) {
            EXPECT_TRUE(writer->finish(static_cast<int>(dialogues.size())).ok());
        }
        return file;
    };
    const auto p0 = part("attempt-1-rank-0.egmfa", 0, {{"dia0", 0}, {"dia3", 3}, {"dia1", 1}}, true);
    const auto p1 = part("attempt-1-rank-1.egmfa", 1, {{"dia2", 2}}, false);
    const auto p2 = part("attempt-1-rank-2.egmfa", 2, {{"dia1", 99}}, true);
    const std::vector<std::string> order = {"dia0", "dia1", "dia2", "dia3"};
    for (const auto& parts : {std::vector<fs::path>{p0, p1, p2}, std::vector<fs::path>{p2, p1, p0}}) {
        const auto out = dir.path() / ("merged" + std::to_string(parts.front() == p0) + ".egmfa");
        auto merged = mergeRun(parts, order, out);
        ASSERT_TRUE(merged.ok()) << merged.error().message;
        auto contents = read(out);
        ASSERT_TRUE(contents.ok());
        EXPECT_TRUE(contents->complete);
        EXPECT_EQ(contents->dialogueOrder, order) << "the order given, not the order written";
        expectAsWritten(randomResult("dia1", 2, 1), contents->dialogues.at("dia1"));  // rank 0's copy, whatever the part order
        expectAsWritten(randomResult("dia2", 2, 2), contents->dialogues.at("dia2"));  // from the dead rank's part
    }
    auto missing = mergeRun({p0, p2}, order, dir.path() / "missing.egmfa");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("1 of 4 dialogues are in no part (the first: dia2)"), std::string::npos)
        << missing.error().message;
    auto elsewhere = identity(1, 3);
    elsewhere.dataset = "/corpora/other";
    {
        auto writer = Writer::create(dir.path() / "other.egmfa", elsewhere);
        ASSERT_TRUE(writer.ok());
    }
    auto foreign = mergeRun({p0, dir.path() / "other.egmfa"}, order, dir.path() / "foreign.egmfa");
    ASSERT_FALSE(foreign.ok());
    EXPECT_NE(foreign.error().message.find("a part of another run"), std::string::npos) << foreign.error().message;
}

TEST(AnalysisBundle, filesThatAreNotBundles_orOfANewerFormat_areRefusedWithTheReason) {
    test::TempDir dir;
    const auto text = dir.path() / "notes.egmfa";
    std::ofstream(text) << "these are notes, not a bundle";
    auto notBundle = read(text);
    ASSERT_FALSE(notBundle.ok());
    EXPECT_NE(notBundle.error().message.find(text.string()), std::string::npos);
    const auto other = dir.path() / "other.sqlite";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE annotations (x TEXT)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    auto foreign = read(other);
    ASSERT_FALSE(foreign.ok());
    EXPECT_NE(foreign.error().message.find("not a readable analysis bundle"), std::string::npos) << foreign.error().message;
    const auto newer = dir.path() / "newer.egmfa";
    ASSERT_TRUE(Writer::create(newer, identity()).ok());
    ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'format_version'", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    auto future = read(newer);
    ASSERT_FALSE(future.ok());
    EXPECT_EQ(future.error().code, ErrorCode::Unsupported);
    EXPECT_NE(future.error().message.find("update EGMF Studio"), std::string::npos);
    EXPECT_EQ(read(dir.path() / "missing.egmfa").error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace egmf::bundle
