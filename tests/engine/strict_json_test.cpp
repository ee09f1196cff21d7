#include <gtest/gtest.h>

#include "checkpoint/strict_json.h"
#include "core/utf8.h"

namespace egmf {
namespace {

TEST(StrictJson, parse_findsDuplicateKeys_atAnyDepth) {
    auto nested = checkpoint::parseStrictJson(R"({"a":{"x":1,"y":{"k":1,"k":2}}})", "f.json");
    ASSERT_FALSE(nested.ok());
    EXPECT_NE(nested.error().message.find("\"k\" appears twice"), std::string::npos);
    EXPECT_NE(nested.error().message.find("f.json"), std::string::npos);
}

TEST(StrictJson, parse_allowsSameKey_inSiblingObjects) {
    auto ok = checkpoint::parseStrictJson(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]})", "f");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ((*ok)["c"][1]["k"], 2);
}

TEST(Utf8, isValid_rejectsOverlongsSurrogatesAndTruncation) {
    EXPECT_TRUE(utf8::isValid("plain, 好, 😀"));
    EXPECT_FALSE(utf8::isValid("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(utf8::isValid("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(utf8::isValid("\xF4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(utf8::isValid("\xE5\xA5"));          // truncated
    EXPECT_EQ(utf8::sanitize("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace egmf
