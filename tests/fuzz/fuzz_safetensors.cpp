// Any byte string given to the safetensors parser: an error or a header whose every tensor lies
// inside the input, never a crash or an out-of-bounds read (ASan checks the reads below).
#include <cstddef>
#include <cstdint>

#include "egmf/app/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    auto parsed = egmf::checkpoint::parseSafetensors(bytes, "fuzz.safetensors");
    if (parsed.ok()) {
        volatile std::uint8_t sink = 0;
        for (const auto& tensor : parsed->tensors) {
            for (auto b : tensor.bytes) {
                sink = sink ^ static_cast<std::uint8_t>(b);
            }
        }
        (void)sink;
    }
    return 0;
}
