#pragma once
// Bidirectional cross-modal fusion (MODEL.md 2). Text attends to the audio-visual sequence and the
// audio-visual sequence attends to the text; the fused sequence H_f covers both sides:
//   H_f = [LayerNorm(H_t' + Z_t) ; LayerNorm(H_av' + Z_av)]   (text, then audio, then visual)
// where H_t' and H_av' carry a learned modality embedding (modality_embedding rows: text, audio,
// visual). Both attention tensors are kept per head for the traces.

#include "multihead_attention.h"
#include "torch_nn.h"

namespace egmf::model {

struct FusionOutput {
    Tensor fused;     ///< H_f [T_t + T_a + T_v, d]
    Tensor textToAv;  ///< [heads, T_t, T_a + T_v]
    Tensor avToText;  ///< [heads, T_a + T_v, T_t]
};

class CrossModalFusionImpl : public torch::nn::Module {
public:
    CrossModalFusionImpl(std::int64_t dim, std::int64_t heads);
    FusionOutput forward(const Tensor& text, const Tensor& audio, const Tensor& visual);

    Tensor modality_embedding;  ///< [3, d]
    MultiheadAttention text_to_av{nullptr}, av_to_text{nullptr};
    torch::nn::LayerNorm norm_text{nullptr}, norm_av{nullptr};
};
TORCH_MODULE(CrossModalFusion);

}  // namespace egmf::model
