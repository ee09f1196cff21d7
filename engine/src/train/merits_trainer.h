#pragma once
// `egmf train --architecture merits-l` (docs/merits-l.md): MERITS-L's three stages in turn, each
// with its own AdamW (warm-up + cosine), early stopping on its dev score and the best epoch's
// weights kept before the next stage freezes them:
//   I   the text and speech utterance encoders with their classifiers (loss: both CEs; dev: the
//       mean of their weighted F1)
//   II  the two conversation encoders with their classifiers (the same, on the context heads)
//   III the co-attention and the fusion classifier (CE; dev: its weighted F1).
// Text embeddings: the rows of a Hugging Face model's embedding table (--base-model: its
// tokenizer, rows frozen), or trained from scratch with a SentencePiece tokenizer trained on the
// training text. One process; every stage's dev and test figures go into the provenance.

#include "egmf/app/trainer.h"

namespace egmf::train {

Result<TrainReport> runMeritsTraining(const TrainRun& run);

}  // namespace egmf::train
