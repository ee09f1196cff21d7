#pragma once
// The face-expression network of @vladmandic/face-api 1.7.15 (MIT), ported to ATen ops and reading
// the package's own TF.js files (resources/models/face-api, checked against SHA256SUMS on load).
//
// Architecture, as face-api's FaceFeatureExtractor + FaceExpressionNet: a 112 x 112 RGB crop,
// x = (x - [122.782, 117.001, 104.298]) / 255; four dense blocks of 32, 64, 128, 256 channels, each
// at stride 2: o1 = relu(conv0(x)) (a full 3x3 conv in block 0, depthwise-separable after),
// o2 = sep(o1), o3 = sep(relu(o1 + o2)), o4 = sep(relu(o1 + o2 + o3)), out = relu(o1 + o2 + o3 + o4);
// a 7x7 average pool gives the 256-d embedding; a fully connected layer gives 7 logits.
// TF's "same" padding is asymmetric at stride 2 (0 before, 1 after), so it is applied by hand.
// The visual branch (MODEL.md 1) uses the embedding; the Studio shows the probabilities.

#include <array>
#include <filesystem>
#include <string_view>

#include "egmf/result.h"
#include "model/torch_nn.h"

namespace egmf::features {

inline constexpr std::array<std::string_view, 7> kExpressionLabels = {"neutral", "happy",     "sad",      "angry",
                                                                      "fearful", "disgusted", "surprised"};
inline constexpr int kExpressionInputSize = 112;
inline constexpr int kExpressionEmbeddingSize = 256;

struct ExpressionOutput {
    at::Tensor logits;         ///< [N, 7]
    at::Tensor probabilities;  ///< [N, 7], softmax of the logits
    at::Tensor embedding;      ///< [N, 256], the pooled features
};

class FaceExpressionNet {
public:
    /// Loads `folder`/face_expression_model-weights_manifest.json and its shard after checking
    /// `folder`/SHA256SUMS. An empty folder means the bundled copy (share/egmf-studio/models/face-api).
    static Result<FaceExpressionNet> load(const std::filesystem::path& folder = {});

    /// crops: [N, 112, 112, 3] RGB, uint8 or float holding 0..255 (face-api's NHWC layout), on
    /// the network's device. Runs without autograd.
    ExpressionOutput forward(const at::Tensor& crops) const;

    /// Moves the weights (e.g. to CUDA, or to bfloat16).
    void to(at::Device device, at::ScalarType dtype = at::kFloat);

    at::Device device() const { return m_fcWeight.device(); }

private:
    struct Conv {
        at::Tensor depthwise;  ///< [C, 1, 3, 3]; undefined for the full conv of block 0
        at::Tensor weight;     ///< pointwise [Cout, Cin, 1, 1], or the full conv [Cout, Cin, 3, 3]
        at::Tensor bias;       ///< [Cout]
    };
    struct DenseBlock {
        std::array<Conv, 4> convs;
    };

    static at::Tensor sameConv(const at::Tensor& x, const Conv& conv, int stride);
    static at::Tensor denseBlock(const at::Tensor& x, const DenseBlock& block);

    std::array<DenseBlock, 4> m_blocks;
    at::Tensor m_fcWeight;  ///< [7, 256]
    at::Tensor m_fcBias;    ///< [7]
};

}  // namespace egmf::features
