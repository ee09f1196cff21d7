#include "av_encoder.h"

#include <cmath>

namespace egmf::model {

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(std::int64_t dim, std::int64_t heads, std::int64_t feedForward) {
    self_attn = register_module("self_attn", MultiheadAttention(dim, heads));
    linear1 = register_module("linear1", torch::nn::Linear(dim, feedForward));
    linear2 = register_module("linear2", torch::nn::Linear(feedForward, dim));
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& x) {
    const auto normed = norm1->forward(x);
    auto y = x + self_attn->forward(normed, normed, normed).output;
    return y + linear2->forward(at::gelu(linear1->forward(norm2->forward(y))));
}

Tensor sinusoidalPositions(std::int64_t length, std::int64_t dim, const at::TensorOptions& options) {
    const auto floatOptions = options.dtype(at::kFloat);
    const auto position = at::arange(length, floatOptions).unsqueeze(1);
    const auto evenDims = at::arange(0, dim, 2, floatOptions);
    const auto angle = position * at::exp(evenDims * (-std::log(10000.0) / static_cast<double>(dim)));
    auto table = at::zeros({length, dim}, floatOptions);
    table.slice(1, 0, dim, 2).copy_(at::sin(angle));
    table.slice(1, 1, dim, 2).copy_(at::cos(angle).slice(1, 0, dim / 2));
    return table.to(options.dtype());
}

AudioBranchImpl::AudioBranchImpl(std::int64_t featureDim, std::int64_t dim, std::int64_t heads, std::int64_t feedForward) : m_dim(dim) {
    using torch::nn::Conv1dOptions;
    conv1 = register_module("conv1", torch::nn::Conv1d(Conv1dOptions(featureDim, dim, 3).stride(2).padding(1)));
    conv2 = register_module("conv2", torch::nn::Conv1d(Conv1dOptions(dim, dim, 3).stride(2).padding(1)));
    encoder_layer = register_module("encoder_layer", TransformerEncoderLayer(dim, heads, feedForward));
}

Tensor AudioBranchImpl::forward(const Tensor& logMel) {
    if (logMel.size(0) == 0) {
        return emptyRows(m_dim, logMel);
    }
    auto x = logMel.t().unsqueeze(0);  // [1, features, frames]
    x = at::gelu(conv2->forward(at::gelu(conv1->forward(x))));
    x = x.squeeze(0).t();  // [positions, dim]
    x = x + sinusoidalPositions(x.size(0), m_dim, x.options());
    return encoder_layer->forward(x);
}

VisualBranchImpl::VisualBranchImpl(std::int64_t featureDim, std::int64_t dim) : m_dim(dim) {
    proj = register_module("proj", torch::nn::Linear(featureDim, dim));
    temporal_conv = register_module("temporal_conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, dim, 3).padding(1)));
}

Tensor VisualBranchImpl::forward(const Tensor& faces) {
    if (faces.size(0) == 0) {
        return emptyRows(m_dim, faces);
    }
    const auto x = proj->forward(faces).t().unsqueeze(0);
    return temporal_conv->forward(x).squeeze(0).t();
}

AvEncoderImpl::AvEncoderImpl(AudioBranch audioBranch, VisualBranch visualBranch) {
    audio = register_module("audio", std::move(audioBranch));
    visual = register_module("visual", std::move(visualBranch));
}

}  // namespace egmf::model
