#pragma once
// The training forward pass of one dialogue (MODEL.md, Training): every utterance encoded and
// fused, the context GRU over the dialogue, then per utterance the experts, the pseudo tokens and
// the prompt, and the LLM run over prompt + answer with teacher forcing. The loss is cross-entropy
// on the answer tokens only (the label or the score, then EOS), averaged per utterance and summed
// over the dialogue. Modality dropout switches modalities off per utterance, drawn from a seed
// that depends only on (seed, epoch, dialogue, utterance), so any split of a batch over processes
// sees the same inputs.

#include <cstdint>

#include <ATen/ATen.h>

#include "egmf/app/train_config.h"
#include "model/egmf.h"
#include "runtime/egmf_runner.h"

namespace egmf::train {

struct DialogueLoss {
    at::Tensor sum;      ///< sum over utterances of their mean answer-token loss (0-dim)
    int utterances = 0;  ///< utterances with a gold answer
};

struct DropoutDraw {
    std::uint64_t seed = 0;
    int epoch = 0;
    std::int64_t dialogue = 0;
};

/// `dropout` null: no modality dropout (evaluation of the loss).
DialogueLoss dialogueLoss(model::EgmfImpl& model, const runtime::EgmfRunner& runner, const Dialogue& dialogue, const TrainConfig& config,
                          const DropoutDraw* dropout);

/// The answer an utterance should get: its gold label, or its score as the prompt writes it.
std::optional<std::string> goldAnswer(const Manifest& manifest, const Utterance& utterance);

}  // namespace egmf::train
