#pragma once
// Activation checkpointing for training a large decoder (torch.utils.checkpoint's reentrant form):
// a decoder layer's forward pass keeps only its input, and the backward pass runs the layer again
// to get the activations it needs, so a 7B base's 32 layers hold one layer's activations at a
// time instead of all of them. The random state (LoRA dropout) is saved before the first run and
// restored for the second, so the result is the same as without checkpointing.

#include "causal_lm.h"

namespace egmf::model {

/// One decoder layer on `h` [T, hidden] at `positions` without a KV cache (a training pass),
/// keeping only `h`: the backward pass runs the layer again.
Tensor checkpointedDecoderLayer(DecoderLayerImpl& layer, const RotaryEmbedding& rope, const Tensor& h, const Tensor& positions,
                                const Tensor& blocked);

}  // namespace egmf::model
