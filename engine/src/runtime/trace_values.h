#pragma once
// Turns an UtteranceTrace (tensors) into an UtteranceResult (values), and gives each position of
// H_f its time inside the clip (ARCHITECTURE.md, "Time mapping"): text tokens evenly over the
// clip, audio positions every 4 log-mel frames, visual positions at the sampling rate.

#include "egmf/analysis.h"
#include "egmf/app/tokenizer.h"
#include "egmf/dialogue.h"
#include "egmf/manifest.h"
#include "egmf_runner.h"

namespace egmf::runtime {

Matrix toMatrix(const at::Tensor& tensor);

/// Times of every H_f position: text, then audio, then visual.
std::vector<Position> positionTimes(const Manifest& manifest, const Utterance& utterance, std::int64_t textLength, std::int64_t audioLength,
                                    std::int64_t visualLength);

UtteranceResult traceToResult(const Manifest& manifest, const tokenizer::Tokenizer& tokenizer, const Utterance& utterance,
                              const UtteranceTrace& trace);

}  // namespace egmf::runtime
