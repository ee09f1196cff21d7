// A Hugging Face EGMF checkpoint's model (egmf/huggingface.h): the layout resolved without torch
// (checkpoint/huggingface_layout.h), the model built with its LLM weights deferred, then every
// parameter filled from the memory-mapped files (weights.h, loadMapped).

#include "checkpoint/huggingface_layout.h"
#include "checkpoint_models.h"
#include "model/llm/lora_linear.h"
#include "model_target.h"
#include "weights.h"

namespace egmf::loading {

Result<LoadedEgmf> loadHuggingFaceEgmf(const std::filesystem::path& folder, const LoadOptions& options, const LoadControl& control) {
    auto layout = checkpoint::resolveHuggingFaceLayout(folder);
    if (!layout) return layout.error();
    const auto& manifest = layout->manifest;
    auto tokenizer = tokenizer::makeCheckpointTokenizer(manifest, folder);
    if (!tokenizer) return tokenizer.error();
    auto files = checkpoint::openSources(layout->sources);
    if (!files) return files.error();
    auto tensors = checkpoint::tensorsByKey(layout->sources, *files);
    if (!tensors) return tensors.error();

    std::optional<model::DeferredBaseWeights> deferred(std::in_place);
    auto model = buildModel(manifest, options);
    deferred.reset();
    if (!model) return model.error();
    const auto all = [](const std::string&) { return true; };
    if (auto loaded = loadMapped(**model, *tensors, *files, checkpoint::expectedTensors(manifest), all, folder.string(), control);
        !loaded) {
        return loaded.error();
    }
    return LoadedEgmf{std::move(*model), std::move(*tokenizer)};
}

}  // namespace egmf::loading
