#pragma once
// Clips made at test time by the ffmpeg CLI in a folder of their own, and what the CLI itself
// decodes from them (the reference our decoder is held to).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace egmf::test {

class ClipFolder {
public:
    explicit ClipFolder(const std::string& prefix);
    ~ClipFolder();
    ClipFolder(const ClipFolder&) = delete;
    ClipFolder& operator=(const ClipFolder&) = delete;

    std::filesystem::path operator/(const std::string& name) const { return m_dir / name; }
    /// `ffmpeg -hide_banner -loglevel error -y ARGS` with {NAME} replaced by the quoted path of
    /// NAME in the folder; false (and a message on stderr) when the CLI fails.
    bool ffmpeg(const std::string& arguments) const;
    /// The first frame as the CLI decodes it (autorotated, as a viewer shows it), RGB24.
    std::vector<std::uint8_t> cliFirstFrame(const std::string& clip, const std::string& filters = "") const;
    std::vector<std::uint8_t> read(const std::string& name) const;

private:
    std::string expand(const std::string& arguments) const;
    std::filesystem::path m_dir;
};

/// The mean absolute difference of two byte buffers of equal size (infinity when they differ in size).
double meanAbsoluteDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b);

}  // namespace egmf::test
