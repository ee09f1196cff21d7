// SHA-256 against coreutils' sha256sum (its own process) on lengths around the padding edges.
#include "egmf/app/sha256.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "egmf/paths.h"

namespace egmf {
namespace {

std::string coreutilsSha256(const std::string& file) {
    FILE* pipe = ::popen(("sha256sum '" + file + "'").c_str(), "r");
    std::array<char, 65> hex{};
    const bool read = pipe && std::fread(hex.data(), 1, 64, pipe) == 64;
    if (pipe) ::pclose(pipe);
    return read ? std::string(hex.data(), 64) : std::string();
}

TEST(Sha256, equalsCoreutils_aroundEveryPaddingEdge) {
    std::string pattern = (std::filesystem::temp_directory_path() / "egmf-sha-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    std::mt19937 rng(7);
    for (std::size_t size : {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100003}) {
        std::vector<std::uint8_t> bytes(size);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
        const auto file = (dir / ("blob" + std::to_string(size))).string();
        std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
        EXPECT_EQ(sha256Hex(bytes), coreutilsSha256(file)) << size << " bytes";
        EXPECT_EQ(*sha256File(file), sha256Hex(bytes));
    }
    removeTree(dir);
}

TEST(Sha256, verifySums_namesTheDifferingFile_andRefusesPathsOutsideTheFolder) {
    std::string pattern = (std::filesystem::temp_directory_path() / "egmf-sha-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    std::ofstream(dir / "a.bin") << "hello";
    std::ofstream(dir / "SHA256SUMS") << "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  a.bin\n";
    EXPECT_TRUE(verifySha256Sums(dir).ok());
    std::ofstream(dir / "a.bin") << "hellO";
    auto changed = verifySha256Sums(dir);
    ASSERT_FALSE(changed.ok());
    EXPECT_NE(changed.error().message.find("a.bin"), std::string::npos);
    std::ofstream(dir / "SHA256SUMS") << "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  ../a.bin\n";
    EXPECT_FALSE(verifySha256Sums(dir).ok());
    removeTree(dir);
}

}  // namespace
}  // namespace egmf
