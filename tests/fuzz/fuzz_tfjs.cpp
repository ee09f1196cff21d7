// Any bytes given to the TF.js weights reader: the first 4 bytes say how many of the rest are the
// manifest, the remainder is the shard data. Weights or an error, never a crash or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint/tfjs_weights.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    std::uint32_t manifestSize = 0;
    std::memcpy(&manifestSize, data, 4);
    manifestSize = std::min<std::uint32_t>(manifestSize, static_cast<std::uint32_t>(size - 4));
    const std::string manifest(reinterpret_cast<const char*>(data) + 4, manifestSize);
    const std::vector<std::uint8_t> shards(data + 4 + manifestSize, data + size);
    (void)egmf::checkpoint::parseTfjsWeights(manifest, shards, "fuzz/model.json");
    return 0;
}
