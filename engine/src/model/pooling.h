#pragma once
// One vector for an utterance's positions of H_f or H_enh (EnhancerDesign's poolings):
//   mean           the mean over all positions                                   [d]
//   modality_mean  each modality's mean (zeros where it has no position), text,
//                  audio, visual, concatenated: a short transcript weighs as much
//                  as 25 audio positions a second                                 [3d]
//   attention      softmax over positions of a learned score, the weighted sum  [d]

#include "experts.h"

namespace egmf::model {

class UtterancePoolImpl : public torch::nn::Module {
public:
    UtterancePoolImpl(std::int64_t dim, std::string mode);
    Tensor forward(const Tensor& positions, const ModalitySpans& spans);

    torch::nn::Linear score{nullptr};  ///< attention only

private:
    std::string m_mode;
};
TORCH_MODULE(UtterancePool);

}  // namespace egmf::model
