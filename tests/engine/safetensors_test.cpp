// The safetensors reader checks the whole header before touching data: one test per kind of bad
// header, plus round trips through the writer.
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "egmf/app/safetensors.h"

namespace egmf::checkpoint {
namespace {

std::vector<std::byte> fileWith(const std::string& header, std::size_t dataBytes) {
    std::vector<std::byte> file(8 + header.size() + dataBytes, std::byte{0x11});
    const std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) {
        file[static_cast<std::size_t>(i)] = static_cast<std::byte>((length >> (8 * i)) & 0xFF);
    }
    std::memcpy(file.data() + 8, header.data(), header.size());
    return file;
}

std::string errorOf(const std::vector<std::byte>& file) {
    auto parsed = parseSafetensors(file, "bad.safetensors");
    EXPECT_FALSE(parsed.ok());
    if (parsed.ok()) {
        return "";
    }
    EXPECT_NE(parsed.error().message.find("bad.safetensors"), std::string::npos);
    return parsed.error().message;
}

TEST(Safetensors, parse_readsEntriesInAnyOrder_whenHeaderIsValid) {
    const auto file = fileWith(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
                               R"("a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"__metadata__":{"k":"v"}})",
                               12);
    auto parsed = parseSafetensors(file, "ok.safetensors");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->tensors.size(), 2u);
    EXPECT_EQ(parsed->tensors[0].name, "a");
    EXPECT_EQ(parsed->tensors[1].name, "b");
    EXPECT_EQ(parsed->tensors[1].bytes.size(), 8u);
    EXPECT_EQ(parsed->metadata.at("k"), "v");
}

TEST(Safetensors, parse_acceptsEmptyTensors_whenSpanIsZero) {
    const auto file = fileWith(R"({"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},)"
                               R"("x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                               8);
    auto parsed = parseSafetensors(file, "ok.safetensors");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(Safetensors, parse_fails_whenFileShorterThanLength) {
    std::vector<std::byte> file(5);
    EXPECT_NE(errorOf(file).find("shorter than the 8-byte"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenHeaderOver100MB) {
    auto file = fileWith("{}", 0);
    const std::uint64_t huge = 100'000'001;
    std::memcpy(file.data(), &huge, 8);
    EXPECT_NE(errorOf(file).find("100 MB"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenHeaderLongerThanFile) {
    auto file = fileWith("{}", 0);
    const std::uint64_t length = 4000;
    std::memcpy(file.data(), &length, 8);
    EXPECT_NE(errorOf(file).find("only"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenHeaderIsNotUtf8) {
    EXPECT_NE(errorOf(fileWith("{\"\xC3\x28\":1}", 0)).find("UTF-8"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenHeaderIsNotJson) {
    EXPECT_NE(errorOf(fileWith("{\"a\":", 0)).find("malformed JSON"), std::string::npos);
    EXPECT_NE(errorOf(fileWith("[1,2]", 0)).find("not a JSON object"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenNameAppearsTwice) {
    const auto file = fileWith(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                               2);
    EXPECT_NE(errorOf(file).find("appears twice"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenNameHoldsNul) {
    const auto file = fileWith("{\"a\\u0000b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
    EXPECT_NE(errorOf(file).find("NUL"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenDtypeUnknown) {
    const auto file = fileWith(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8);
    auto parsed = parseSafetensors(file, "bad.safetensors");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::Unsupported);
    EXPECT_NE(parsed.error().message.find("F64"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenShapeIsNotSizes) {
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", 0)).find("shape"), std::string::npos);
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})", 1)).find("shape"), std::string::npos);
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":"1","data_offsets":[0,1]}})", 1)).find("shape"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenShapeOverflows) {
    const auto file = fileWith(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0);
    EXPECT_NE(errorOf(file).find("overflows"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenSpanDoesNotMatchShape) {
    const auto file = fileWith(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
    EXPECT_NE(errorOf(file).find("needs 12 bytes"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenOffsetsReversedOrMalformed) {
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 4)).find("end before"), std::string::npos);
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", 1)).find("[begin, end]"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenTensorsOverlap) {
    const auto file = fileWith(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                               R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                               6);
    EXPECT_NE(errorOf(file).find("overlap or leave a gap"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenTensorsLeaveGap) {
    const auto file = fileWith(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", 4);
    EXPECT_NE(errorOf(file).find("overlap or leave a gap"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenDataIsLongerOrShorterThanTensors) {
    const auto header = std::string(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})");
    EXPECT_NE(errorOf(fileWith(header, 3)).find("cover 2 bytes"), std::string::npos);
    EXPECT_NE(errorOf(fileWith(header, 1)).find("past the end"), std::string::npos);
}

TEST(Safetensors, parse_fails_whenEntryHasUnknownFieldOrMetadataIsNotText) {
    EXPECT_NE(errorOf(fileWith(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}})", 1)).find("unknown field"),
              std::string::npos);
    EXPECT_NE(errorOf(fileWith(R"({"__metadata__":{"k":1}})", 0)).find("not a string"), std::string::npos);
}

TEST(Safetensors, writeThenOpen_roundTripsEveryDtype) {
    const auto path = std::filesystem::temp_directory_path() / "egmf_roundtrip.safetensors";
    std::vector<float> f32{1.5f, -2.0f, 3.25f};
    std::vector<std::int64_t> i64{7, -9};
    std::vector<std::uint8_t> u8{1, 2, 3, 4};
    auto bytes = [](const auto& v) {
        return std::span<const std::byte>(reinterpret_cast<const std::byte*>(v.data()), v.size() * sizeof(v[0]));
    };
    std::vector<TensorToWrite> tensors{{"w.f32", DType::F32, {3}, bytes(f32)},  {"w.i64", DType::I64, {2, 1}, bytes(i64)},
                                       {"w.bf16", DType::BF16, {2}, bytes(u8)}, {"w.f16", DType::F16, {1, 2}, bytes(u8)},
                                       {"w.i32", DType::I32, {1}, bytes(u8)},   {"w.bool", DType::BOOL, {4}, bytes(u8)},
                                       {"w.empty", DType::F32, {0, 3}, {}}};
    ASSERT_TRUE(writeSafetensors(path, tensors, {{"seed", "3"}}).ok());
    auto file = SafetensorsFile::open(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->metadata().at("seed"), "3");
    EXPECT_EQ(file->tensors().size(), 7u);
    const auto* entry = file->find("w.f32");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(0, std::memcmp(entry->bytes.data(), f32.data(), 12));
    EXPECT_EQ(file->find("w.i64")->shape, (std::vector<std::int64_t>{2, 1}));
    EXPECT_EQ(file->find("w.bool")->dtype, DType::BOOL);
    std::filesystem::remove(path);
}

TEST(Safetensors, open_reportsMissingFile_withItsPath) {
    auto file = SafetensorsFile::open("/nonexistent/model.safetensors");
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().code, ErrorCode::NotFound);
    EXPECT_NE(file.error().message.find("/nonexistent/model.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace egmf::checkpoint
