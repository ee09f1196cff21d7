#pragma once
// A linear projection of the LLM with an optional PEFT-style LoRA adapter:
//   y = x W^T (+ b) + scale * B(A(x))     scale = alpha / rank (or alpha / sqrt(rank), rsLoRA)
// A starts random and B zero, so an untrained adapter changes nothing. As in PEFT, dropout (the
// manifest's lora_dropout) applies to the adapter's input only, and only in training. The base weight sits at
// llm.<path>.weight and the adapter at lora.<path>.lora_A.weight / lora_B.weight in checkpoints
// (model/weights.h maps the names); A and B stay separate from the base weight, never merged, so
// the adapter can be exported and switched off.

#include <functional>
#include <optional>

#include "../torch_nn.h"
#include "egmf/manifest.h"

namespace egmf::model {

/// While one is alive on this thread, the LLM's base weights (projections, norms, embeddings) are
/// created as empty placeholders instead of being initialised: a loader that fills every one of
/// them from memory-mapped files (checkpoint/weights.h, loadMapped) then never pays for an
/// initialisation it would overwrite (seconds, and the memory twice, for a 1B model).
class DeferredBaseWeights {
public:
    DeferredBaseWeights();
    ~DeferredBaseWeights();
    DeferredBaseWeights(const DeferredBaseWeights&) = delete;
    DeferredBaseWeights& operator=(const DeferredBaseWeights&) = delete;
    static bool active();

private:
    bool m_previous;
};

/// A base weight of `shape` made by `init` (or a placeholder under DeferredBaseWeights).
Tensor baseWeight(at::IntArrayRef shape, const std::function<void(Tensor&)>& init);

class LoraLinearImpl : public torch::nn::Module {
public:
    LoraLinearImpl(std::int64_t in, std::int64_t out, bool bias, const std::optional<LoraConfig>& lora);
    Tensor forward(const Tensor& x);
    bool hasAdapter() const { return !lora_A.is_empty(); }
    /// What the adapter adds to the weight: scale B A [out, in] (merging it computes the same).
    Tensor adapterDelta() const { return at::matmul(lora_B->weight, lora_A->weight) * m_scale; }

    Tensor weight, bias;
    torch::nn::Linear lora_A{nullptr}, lora_B{nullptr};

private:
    double m_scale = 0.0;
    double m_dropout = 0.0;
};
TORCH_MODULE(LoraLinear);

/// `lora` when it targets the projection `name` (e.g. "q_proj"), else nothing.
std::optional<LoraConfig> adapterFor(const std::optional<LoraConfig>& lora, const char* name);

}  // namespace egmf::model
