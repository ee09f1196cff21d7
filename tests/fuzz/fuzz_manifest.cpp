// Any text given to the manifest parser: a Manifest or an error, never a crash; a parsed
// manifest serialises and parses back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "egmf/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto manifest = egmf::parseManifest(text, "fuzz/manifest.json");
    if (manifest.ok()) {
        auto again = egmf::parseManifest(egmf::serializeManifest(*manifest), "again");
        if (!again.ok()) {
            std::abort();  // what we write we must read
        }
    }
    return 0;
}
