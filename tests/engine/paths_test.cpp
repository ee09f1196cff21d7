#include "egmf/paths.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace egmf {
namespace {

namespace fs = std::filesystem;

TEST(Paths, removeTree_removesNestedFolders_butNotWhatALinkPointsTo) {
    std::string pattern = (fs::temp_directory_path() / "egmf-paths-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const fs::path base = pattern;
    const fs::path tree = base / "tree";
    const fs::path outside = base / "outside";
    fs::create_directories(tree / "a" / "b");
    fs::create_directories(outside);
    std::ofstream(tree / "a" / "b" / "file.txt") << "x";
    std::ofstream(outside / "keep.txt") << "keep";
    fs::create_directory_symlink(outside, tree / "a" / "link");

    EXPECT_TRUE(removeTree(tree));
    EXPECT_FALSE(fs::exists(tree));
    EXPECT_TRUE(fs::exists(outside / "keep.txt"));
    EXPECT_TRUE(removeTree(tree)) << "removing what is already gone succeeds";
    EXPECT_TRUE(removeTree(base));
    EXPECT_FALSE(fs::exists(base));
}

TEST(Paths, shareAndPluginDirs_sitBesideTheExecutablesFolder) {
    EXPECT_EQ(shareDir(), executableDir().parent_path() / "share" / "egmf-studio");
    EXPECT_EQ(pluginDir(), executableDir().parent_path() / "lib" / "egmf-studio" / "plugins");
}

}  // namespace
}  // namespace egmf
