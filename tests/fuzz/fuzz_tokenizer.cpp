// Any bytes given to the tokenizer readers: the first byte picks the format (even: tokenizer.json,
// odd: SentencePiece .model), the rest is the file. A tokenizer or an error, never a crash; a
// tokenizer that loads must encode text (the file's own bytes too) and decode its ids.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/sentencepiece_tokenizer.h"

namespace {

void exercise(const egmf::tokenizer::Tokenizer& tokenizer, std::string_view text) {
    for (std::string_view sample : {std::string_view("Hello  world! 我很好 😀\t<s> caf\xC3\xA9 \xFF\xFE"), text.substr(0, 256)}) {
        const auto ids = tokenizer.encodeWithSpecials(sample);
        (void)tokenizer.decode(ids);
        for (auto id : ids) (void)tokenizer.piece(id);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) {
        if (auto tokenizer = egmf::tokenizer::HfTokenizer::fromJson(file, "fuzz/tokenizer.json"); tokenizer.ok()) {
            exercise(**tokenizer, file);
        }
    } else if (auto tokenizer = egmf::tokenizer::SentencePieceTokenizer::fromBytes(file, "fuzz/model"); tokenizer.ok()) {
        exercise(**tokenizer, file);
    }
    return 0;
}
