#pragma once
// The demo corpus's lines, written for it: per emotion, lines that say it; lines that fit several
// emotions; and incongruent lines whose words say one emotion while the speaker feels another.

#include <string>
#include <vector>

namespace egmf::demo {

struct LiteralLines {
    const char* emotion;
    std::vector<const char*> lines;
};

/// A line that fits every emotion in `emotions` (the words cannot decide).
struct AmbiguousLine {
    std::vector<const char*> emotions;
    const char* text;
};

/// Words that say `surface`; spoken by someone who feels `felt`.
struct IncongruentLine {
    const char* felt;
    const char* surface;
    const char* text;
};

const std::vector<LiteralLines>& literalLines();
const std::vector<AmbiguousLine>& ambiguousLines();
const std::vector<IncongruentLine>& incongruentLines();

}  // namespace egmf::demo
