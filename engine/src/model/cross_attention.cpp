#include "cross_attention.h"

namespace egmf::model {

CrossModalFusionImpl::CrossModalFusionImpl(std::int64_t dim, std::int64_t heads) {
    modality_embedding = register_parameter("modality_embedding", at::randn({3, dim}) * 0.02);
    text_to_av = register_module("text_to_av", MultiheadAttention(dim, heads));
    av_to_text = register_module("av_to_text", MultiheadAttention(dim, heads));
    norm_text = register_module("norm_text", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    norm_av = register_module("norm_av", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

FusionOutput CrossModalFusionImpl::forward(const Tensor& text, const Tensor& audio, const Tensor& visual) {
    const auto t = text + modality_embedding[0];
    const auto av = at::cat({audio + modality_embedding[1], visual + modality_embedding[2]}, 0);
    auto toAv = text_to_av->forward(t, av, av);
    auto toText = av_to_text->forward(av, t, t);
    auto fused = at::cat({norm_text->forward(t + toAv.output), norm_av->forward(av + toText.output)}, 0);
    return {std::move(fused), std::move(toAv.weights), std::move(toText.weights)};
}

}  // namespace egmf::model
