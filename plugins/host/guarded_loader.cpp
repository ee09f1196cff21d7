#include "guarded_loader.h"

#include <exception>

namespace egmf::plugin {

namespace {

std::string currentExceptionText() {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

}  // namespace

std::string GuardedLoader::failure(const char* call, const std::filesystem::path& path, const std::string& what) const {
    return path.string() + ": the plugin \"" + m_name + "\" threw in " + call + ": " + what +
           " (the Studio goes on; report it to the plugin's authors, or load the checkpoint with another plugin)";
}

Verdict GuardedLoader::canLoad(const std::filesystem::path& path) const {
    try {
        return m_plugin->canLoad(path);
    } catch (...) {
        return {false, failure("canLoad", path, currentExceptionText())};
    }
}

Result<CheckpointInfo> GuardedLoader::inspect(const std::filesystem::path& path) const {
    try {
        return m_plugin->inspect(path);
    } catch (...) {
        return makeError(ErrorCode::Internal, failure("inspect", path, currentExceptionText()));
    }
}

Result<std::unique_ptr<Analyzer>> GuardedLoader::load(const std::filesystem::path& path, const LoadOptions& options,
                                                      const LoadControl& control) {
    try {
        return m_plugin->load(path, options, control);
    } catch (...) {
        return makeError(ErrorCode::Internal, failure("load", path, currentExceptionText()));
    }
}

}  // namespace egmf::plugin
