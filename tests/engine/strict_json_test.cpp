#include <cstdint>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>

#include "core/strict_json.h"
#include "core/utf8.h"

namespace egmf {
namespace {

TEST(StrictJson, parse_findsDuplicateKeys_atAnyDepth) {
    auto nested = parseStrictJson(R"({"a":{"x":1,"y":{"k":1,"k":2}}})", "f.json");
    ASSERT_FALSE(nested.ok());
    EXPECT_NE(nested.error().message.find("\"k\" appears twice"), std::string::npos);
    EXPECT_NE(nested.error().message.find("f.json"), std::string::npos);
}

TEST(StrictJson, parse_allowsSameKey_inSiblingObjects) {
    auto ok = parseStrictJson(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]})", "f");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ((*ok)["c"][1]["k"], 2);
}

TEST(StrictJson, checkedInteger_takesIntegersInRange_andRefusesFloatsOutOfRange) {
    using nlohmann::json;
    EXPECT_EQ(checkedInteger(json(7), "x"), 7);
    EXPECT_EQ(checkedInteger(json(8.0), "x"), 8);
    EXPECT_EQ(checkedInteger(json(-3), "x", -5, 5), -3);
    EXPECT_EQ(checkedInteger(json(std::uint64_t{1} << 40), "x"), std::int64_t{1} << 40);
    for (const json& bad : {json(4.3e122), json(-9.3e18), json(9223372036854775808.0), json(1.5), json("7"), json(nullptr),
                            json(std::numeric_limits<std::uint64_t>::max()), json(std::numeric_limits<double>::quiet_NaN())}) {
        EXPECT_THROW(checkedInteger(bad, "field"), std::invalid_argument) << bad;
    }
    try {
        checkedInteger(json(12), "the Strip decoder's stop", 0, 10);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("the Strip decoder's stop must be an integer from 0 to 10"), std::string::npos) << e.what();
    }
}

TEST(Utf8, isValid_rejectsOverlongsSurrogatesAndTruncation) {
    EXPECT_TRUE(utf8::isValid("plain, 好, 😀"));
    EXPECT_FALSE(utf8::isValid("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(utf8::isValid("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(utf8::isValid("\xF4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(utf8::isValid("\xE5\xA5"));          // truncated
    EXPECT_EQ(utf8::sanitize("a\xFF"
                             "b"),
              "a\xEF\xBF\xBD"
              "b");
}

}  // namespace
}  // namespace egmf
