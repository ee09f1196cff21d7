#pragma once
// AudioVisualEncoder (MODEL.md 1): the audio branch turns log-mel frames into H_a (two stride-2
// convolutions, sinusoidal positions, one pre-norm transformer layer); the visual branch turns
// per-frame face embeddings into H_v (linear, temporal convolution). Inputs are unbatched
// [frames, features]; a zero-length input gives a zero-length output (a missing modality).

#include "multihead_attention.h"
#include "torch_nn.h"

namespace egmf::model {

/// nn.TransformerEncoderLayer(norm_first=True, activation=gelu, dropout=0), same parameter names.
class TransformerEncoderLayerImpl : public torch::nn::Module {
public:
    TransformerEncoderLayerImpl(std::int64_t dim, std::int64_t heads, std::int64_t feedForward);
    Tensor forward(const Tensor& x);

    MultiheadAttention self_attn{nullptr};
    torch::nn::Linear linear1{nullptr}, linear2{nullptr};
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(TransformerEncoderLayer);

class AudioBranchImpl : public torch::nn::Module {
public:
    AudioBranchImpl(std::int64_t featureDim, std::int64_t dim, std::int64_t heads, std::int64_t feedForward);
    Tensor forward(const Tensor& logMel);  ///< [frames, features] -> [ceil(frames/4), dim]

    /// Audio positions per input frame: two stride-2 convolutions subsample by 4.
    static constexpr int kSubsampling = 4;

    torch::nn::Conv1d conv1{nullptr}, conv2{nullptr};
    TransformerEncoderLayer encoder_layer{nullptr};

private:
    std::int64_t m_dim;
};
TORCH_MODULE(AudioBranch);

class VisualBranchImpl : public torch::nn::Module {
public:
    VisualBranchImpl(std::int64_t featureDim, std::int64_t dim);
    Tensor forward(const Tensor& faces);  ///< [frames, featureDim] -> [frames, dim]

    torch::nn::Linear proj{nullptr};
    torch::nn::Conv1d temporal_conv{nullptr};

private:
    std::int64_t m_dim;
};
TORCH_MODULE(VisualBranch);

class AvEncoderImpl : public torch::nn::Module {
public:
    AvEncoderImpl(AudioBranch audioBranch, VisualBranch visualBranch);
    AudioBranch audio{nullptr};
    VisualBranch visual{nullptr};
};
TORCH_MODULE(AvEncoder);

/// Sinusoidal positions [length, dim] (sin on even, cos on odd dimensions), in float32 then cast.
Tensor sinusoidalPositions(std::int64_t length, std::int64_t dim, const at::TensorOptions& options);

}  // namespace egmf::model
