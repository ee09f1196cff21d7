#pragma once
// An utterance's feature sequence as a tensor, checked (shape against the checkpoint, finite
// values), for every architecture's runner. Errors name the clip (or the utterance).

#include <string>

#include <ATen/ATen.h>

#include "egmf/dialogue.h"
#include "egmf/result.h"

namespace egmf::runtime {

Error utteranceError(const Utterance& u, const std::string& what);

/// `f` as [frames, dim] with `options` (a view of the caller's values where nothing changes);
/// disabled or empty: [0, dim].
Result<at::Tensor> featureTensor(const Utterance& u, const FeatureSequence& f, std::int64_t dim, bool disabled, const char* name,
                                 const at::TensorOptions& options);

}  // namespace egmf::runtime
