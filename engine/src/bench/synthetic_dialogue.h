#pragma once
// A MELD-like dialogue for the benchmarks: 1.5-4 s utterances of Friends-like lines, random
// features at the manifest's sizes (80-bin log-mel at 100 fps, face embeddings at 4 fps).

#include <cstdint>

#include "egmf/dialogue.h"
#include "egmf/manifest.h"

namespace egmf::bench {

Dialogue syntheticDialogue(const Manifest& manifest, int utterances, std::uint64_t seed);

}  // namespace egmf::bench
