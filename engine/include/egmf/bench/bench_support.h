#pragma once
// Small helpers the benchmarks share: a scratch folder, the median of timings, peak memory, seconds since a moment.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "egmf/manifest.h"
#include "egmf/result.h"

namespace egmf::bench {

/// The folder a benchmark works in: the one the user named (kept), or a new one under the system
/// temp dir named <prefix>-XXXXXX (removed with this object, on every path out).
class WorkDir {
public:
    static Result<WorkDir> create(const std::filesystem::path& requested, const std::string& prefix);
    WorkDir(WorkDir&& other) noexcept : m_path(std::move(other.m_path)), m_owned(other.m_owned) { other.m_owned = false; }
    WorkDir& operator=(WorkDir&&) = delete;
    ~WorkDir();
    const std::filesystem::path& path() const { return m_path; }

private:
    WorkDir(std::filesystem::path path, bool owned) : m_path(std::move(path)), m_owned(owned) {}
    std::filesystem::path m_path;
    bool m_owned = false;
};

/// A real model's decoder shape by name (llmShapeNames), else a tiny Llama for a smoke test.
LlmConfig llmShape(const std::string& shape);
/// The shapes llmShape knows, and what each is, for a command's --shape.
inline const std::vector<std::string> kLlmShapeNames{"7b", "1b", "glm3-6b", "tiny", "glm-tiny"};
inline constexpr const char* kLlmShapeHelp = "7b (Llama-2-7B), 1b (Llama-3.2-1B), glm3-6b (ChatGLM3-6B), tiny or glm-tiny (smoke tests)";

/// The median (the mean of the middle two for an even count); 0 for no values.
double median(std::vector<double> values);

/// This process's peak resident memory in MiB (VmHWM: ru_maxrss would carry the parent's peak
/// across fork + exec); 0 where /proc is missing.
double peakRssMiB();

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace egmf::bench
