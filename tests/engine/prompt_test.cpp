#include <gtest/gtest.h>

#include "tokenizer/byte_tokenizer.h"
#include "tokenizer/prompt.h"

namespace egmf::tokenizer {
namespace {

std::string text(const std::vector<std::int32_t>& ids) {
    std::string s;
    for (auto id : ids) {
        if (id < 256) {
            s.push_back(static_cast<char>(id));
        }
    }
    return s;
}

Dialogue threeTurns() {
    Dialogue d{"d1", {}, {}};
    for (auto [speaker, line] : {std::pair{"Joey", "How you doin'?"}, {"Rachel", "{labels} is text"}, {"Ross", "We were on a break!"}}) {
        Utterance u;
        u.speaker = speaker;
        u.text = line;
        d.utterances.push_back(u);
    }
    return d;
}

TEST(Prompt, build_fillsHistoryTargetAndLabels_aroundThePseudoTokens) {
    Manifest m = demoManifest();
    m.labels = {"joy", "anger"};
    m.prompt.historyTurns = 1;
    m.prompt.templateText = "{history}T {speaker}: {text}|{multimodal}|set <{labels}> {x}";
    ByteTokenizer bytes;
    PromptBuilder builder(m, bytes);
    const auto ids = builder.build(threeTurns(), 2);
    ASSERT_FALSE(ids.prefix.empty());
    EXPECT_EQ(ids.prefix.front(), ByteTokenizer::kBos);
    // Only one history turn; user text holding "{labels}" is not expanded; unknown braces stay.
    EXPECT_EQ(text(ids.prefix), "Rachel: {labels} is text\nT Ross: We were on a break!|");
    EXPECT_EQ(text(ids.suffix), "|set <joy, anger> {x}");
}

TEST(Prompt, build_withoutText_dropsTheTargetsWordsAndTheHistory) {
    Manifest m = demoManifest();
    m.prompt.historyTurns = 2;
    m.prompt.templateText = "{history}{speaker}: {text}{multimodal}";
    ByteTokenizer bytes;
    PromptBuilder builder(m, bytes);
    EXPECT_NE(text(builder.build(threeTurns(), 2, true).prefix).find("Rachel: "), std::string::npos) << "with text, the history is there";
    EXPECT_EQ(text(builder.build(threeTurns(), 2, false).prefix), "Ross: ") << "the paper's w/o T: no transcript at all";
}

TEST(Prompt, answerIds_areSpaceLabelEos) {
    Manifest m = demoManifest();
    ByteTokenizer bytes;
    const auto ids = PromptBuilder(m, bytes).answerIds("joy");
    EXPECT_EQ(ids, (std::vector<std::int32_t>{' ', 'j', 'o', 'y', ByteTokenizer::kEos}));
}

TEST(Prompt, matchLabel_isExactAfterTrimming) {
    const std::vector<std::string> labels{"joy", "anger"};
    EXPECT_EQ(matchLabel(" joy\n", labels), "joy");
    EXPECT_EQ(matchLabel("joyful", labels), "unparsable");
    EXPECT_EQ(matchLabel("", labels), "unparsable");
}

TEST(Prompt, parseScore_acceptsOnlyANumber) {
    EXPECT_DOUBLE_EQ(*parseScore(" -1.4 "), -1.4);
    EXPECT_FALSE(parseScore("1.4 points").has_value());
    EXPECT_FALSE(parseScore("").has_value());
    EXPECT_FALSE(parseScore("nan").has_value());
    EXPECT_EQ(formatScore(0.25, 1), "0.2");  // printf rounds half to even on binary 0.25
}

TEST(ByteTokenizer, decode_skipsSpecialsAndRepairsBrokenUtf8) {
    ByteTokenizer bytes;
    auto ids = bytes.encode("好!");
    EXPECT_EQ(ids.size(), 4u);
    EXPECT_EQ(bytes.decode(ids), "好!");
    ids.erase(ids.begin());  // cut the first byte of 好
    ids.push_back(ByteTokenizer::kEos);
    EXPECT_EQ(bytes.decode(ids), "\xEF\xBF\xBD\xEF\xBF\xBD!");
    EXPECT_EQ(bytes.piece('a'), "a");
    EXPECT_EQ(bytes.piece(0xE5), "<0xE5>");
}

}  // namespace
}  // namespace egmf::tokenizer
