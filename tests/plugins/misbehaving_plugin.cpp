// Plugins that must be refused or survived (tests/plugins/CMakeLists.txt builds this file several
// times): EGMF_MISSING_SYMBOL references data no library defines (dlopen fails: "undefined
// symbol"); EGMF_CRASH_ON_LOAD dereferences null when its instance is made (the probe process
// dies; the host lists it as broken); EGMF_THROW_IN_LOAD says yes to a folder holding a file named
// "throw-in-load" and throws from load() (the host reports it; the caller goes on). Built with another IID or LibTorch version in plugin.json,
// the same class is the wrong-interface and wrong-LibTorch plugins.
#include <QObject>
#include <csignal>
#include <stdexcept>

#include "egmf/plugin/checkpoint_loader.h"

#ifdef EGMF_MISSING_SYMBOL
extern "C" int egmf_symbol_nobody_defines;
// An exported pointer initialised with its address: a data relocation, resolved when the library
// is loaded (lazy binding only defers function calls).
extern "C" int* egmf_missing_reference;
int* egmf_missing_reference = &egmf_symbol_nobody_defines;
#endif

namespace egmf::plugin {

class MisbehavingPlugin : public QObject, public CheckpointLoader {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID EGMF_PLUGIN_IID FILE "plugin.json")
    Q_INTERFACES(egmf::plugin::CheckpointLoader)
public:
    MisbehavingPlugin() {
#ifdef EGMF_CRASH_ON_LOAD
        std::raise(SIGSEGV);
#endif
    }
#ifdef EGMF_THROW_IN_LOAD
    Verdict canLoad(const std::filesystem::path& path) const override {
        if (std::filesystem::exists(path / "throw-in-load")) return {true, {}};
        return {false, "a test plugin reads only folders with a throw-in-load file"};
    }
    Result<CheckpointInfo> inspect(const std::filesystem::path&) const override {
        return CheckpointInfo{};
    }
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path&, const LoadOptions&, const LoadControl& control) override {
        if (control.progress) control.progress(0.5);
        throw std::runtime_error("the weights are not what this plugin expected");
    }
#else
    Verdict canLoad(const std::filesystem::path&) const override {
        return {false, "a test plugin reads nothing"};
    }
    Result<CheckpointInfo> inspect(const std::filesystem::path& path) const override {
        return makeError(ErrorCode::Unsupported, path.string() + ": a test plugin");
    }
    Result<std::unique_ptr<Analyzer>> load(const std::filesystem::path& path, const LoadOptions&, const LoadControl&) override {
        return makeError(ErrorCode::Unsupported, path.string() + ": a test plugin");
    }
#endif
};

}  // namespace egmf::plugin

#include "misbehaving_plugin.moc"
