// Any text given as a Hugging Face config.json or a PEFT adapter_config.json: an LlmConfig /
// LoraConfig or an error, never a crash. A parsed config serialises and parses back, and an
// accepted adapter config is written as peft's adapter_config.json and accepted again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checkpoint/huggingface_layout.h"
#include "core/strict_json.h"
#include "egmf/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto json = egmf::parseStrictJson(text, "fuzz/config.json");
    if (!json.ok()) return 0;
    if (auto llm = egmf::parseLlmConfig(*json, "fuzz/config.json"); llm.ok()) {
        auto again = egmf::parseLlmConfig(nlohmann::json::parse(egmf::serializeLlmConfig(*llm)), "again");
        if (!again.ok()) std::abort();  // what we write we must read
    }
    if (auto lora = egmf::checkpoint::parseAdapterConfig(*json, "fuzz/adapter_config.json"); lora.ok()) {
        auto written = egmf::parseStrictJson(egmf::checkpoint::peftAdapterConfigJson(*lora, "base"), "written");
        if (!written.ok() || !egmf::checkpoint::parseAdapterConfig(*written, "again").ok()) std::abort();
    }
    return 0;
}
