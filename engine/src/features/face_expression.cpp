#include "features/face_expression.h"

#include <map>

#include "checkpoint/tfjs_weights.h"
#include "core/allocator_tuning.h"
#include "egmf/app/sha256.h"
#include "egmf/paths.h"

namespace egmf::features {
namespace {

constexpr const char* kManifestName = "face_expression_model-weights_manifest.json";

/// TF.js layouts to ATen's: HWIO filters -> OIHW; depthwise [3, 3, C, 1] -> [C, 1, 3, 3].
at::Tensor toAten(const checkpoint::TfjsWeight& weight) {
    auto tensor = at::tensor(weight.values, at::kFloat).reshape(weight.shape);
    if (weight.shape.size() == 4) {
        tensor = weight.name.ends_with("depthwise_filter") ? tensor.permute({2, 3, 0, 1}) : tensor.permute({3, 2, 0, 1});
    } else if (weight.shape.size() == 2) {
        tensor = tensor.t();  // fc/weights [256, 7] -> [7, 256]
    }
    return tensor.dim() == 4 ? tensor.contiguous(at::MemoryFormat::ChannelsLast) : tensor.contiguous();
}

}  // namespace

Result<FaceExpressionNet> FaceExpressionNet::load(const std::filesystem::path& folder) {
    // Activations of a 20-crop batch are ~8 MB: without this every one is a fresh mmap whose pages
    // fault in again, which made the network 5x slower (runtime/allocator_tuning.h).
    tuneAllocatorForInference();
    const auto dir = folder.empty() ? shareDir() / "models" / "face-api" : folder;
    if (auto checked = verifySha256Sums(dir); !checked.ok()) {
        return checked.error();
    }
    auto weights = checkpoint::readTfjsWeights(dir / kManifestName);
    if (!weights.ok()) {
        return weights.error();
    }
    std::map<std::string, at::Tensor> byName;
    std::map<std::string, std::vector<std::int64_t>> shapes;
    for (const auto& weight : *weights) {
        byName[weight.name] = toAten(weight);
        shapes[weight.name] = weight.shape;
    }
    const auto source = (dir / kManifestName).string();
    auto take = [&](const std::string& name, std::vector<std::int64_t> shape) -> Result<at::Tensor> {
        auto found = byName.find(name);
        if (found == byName.end()) {
            return makeError(ErrorCode::Mismatch, source + ": lacks " + name + "; it is not face-api's expression model");
        }
        if (shapes[name] != shape) {
            return makeError(ErrorCode::Mismatch, source + ": " + name + " has the wrong shape for face-api's expression model");
        }
        return found->second;
    };

    FaceExpressionNet net;
    const std::array<std::int64_t, 4> channels = {32, 64, 128, 256};
    std::int64_t in = 3;
    for (int b = 0; b < 4; ++b) {
        const std::int64_t out = channels[b];
        for (int c = 0; c < 4; ++c) {
            const auto prefix = "dense" + std::to_string(b) + "/conv" + std::to_string(c) + "/";
            const std::int64_t cin = c == 0 ? in : out;
            auto& conv = net.m_blocks[b].convs[c];
            if (b == 0 && c == 0) {
                auto filters = take(prefix + "filters", {3, 3, cin, out});
                if (!filters.ok()) return filters.error();
                conv.weight = *filters;
            } else {
                auto depthwise = take(prefix + "depthwise_filter", {3, 3, cin, 1});
                auto pointwise = take(prefix + "pointwise_filter", {1, 1, cin, out});
                if (!depthwise.ok()) return depthwise.error();
                if (!pointwise.ok()) return pointwise.error();
                conv.depthwise = *depthwise;
                conv.weight = *pointwise;
            }
            auto bias = take(prefix + "bias", {out});
            if (!bias.ok()) return bias.error();
            conv.bias = *bias;
        }
        in = out;
    }
    auto fcWeight = take("fc/weights", {kExpressionEmbeddingSize, static_cast<std::int64_t>(kExpressionLabels.size())});
    auto fcBias = take("fc/bias", {static_cast<std::int64_t>(kExpressionLabels.size())});
    if (!fcWeight.ok()) return fcWeight.error();
    if (!fcBias.ok()) return fcBias.error();
    net.m_fcWeight = *fcWeight;
    net.m_fcBias = *fcBias;
    return net;
}

void FaceExpressionNet::to(at::Device device, at::ScalarType dtype) {
    auto move = [&](at::Tensor& t) {
        if (t.defined()) t = t.to(device, dtype).contiguous(t.dim() == 4 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
    };
    for (auto& block : m_blocks) {
        for (auto& conv : block.convs) {
            move(conv.depthwise);
            move(conv.weight);
            move(conv.bias);
        }
    }
    move(m_fcWeight);
    move(m_fcBias);
}

at::Tensor FaceExpressionNet::sameConv(const at::Tensor& x, const Conv& conv, int stride) {
    // TF "same" with a 3x3 kernel: stride 1 pads 1 on every side; stride 2 on even sizes pads
    // 0 before and 1 after (TF puts the odd pixel of padding at the end).
    // Symmetric padding goes to the convolution itself; the stride-2 case pads by hand.
    const auto input = stride == 1 ? x : at::constant_pad_nd(x, {0, 1, 0, 1});
    const std::int64_t pad = stride == 1 ? 1 : 0;
    if (!conv.depthwise.defined()) {
        return at::conv2d(input, conv.weight, conv.bias, {stride, stride}, {pad, pad});
    }
    const auto depthwise = at::conv2d(input, conv.depthwise, at::Tensor(), at::IntArrayRef{stride, stride}, at::IntArrayRef{pad, pad},
                                      at::IntArrayRef{1, 1}, x.size(1));
    return at::conv2d(depthwise, conv.weight, conv.bias);
}

at::Tensor FaceExpressionNet::denseBlock(const at::Tensor& x, const DenseBlock& block) {
    const auto o1 = at::relu(sameConv(x, block.convs[0], 2));
    const auto o2 = sameConv(o1, block.convs[1], 1);
    const auto o3 = sameConv(at::relu(o1 + o2), block.convs[2], 1);
    const auto o4 = sameConv(at::relu(o1 + (o2 + o3)), block.convs[3], 1);
    return at::relu(o1 + (o2 + (o3 + o4)));
}

ExpressionOutput FaceExpressionNet::forward(const at::Tensor& crops) const {
    at::NoGradGuard noGrad;
    TORCH_CHECK(crops.dim() == 4 && crops.size(1) == kExpressionInputSize && crops.size(2) == kExpressionInputSize && crops.size(3) == 3,
                "face crops must be [N, 112, 112, 3]");
    const auto dtype = m_fcWeight.scalar_type();
    const auto mean = at::tensor({122.782f, 117.001f, 104.298f}, at::kFloat).to(crops.device());
    // Normalise in float32 as face-api does, then switch to the weights' dtype.
    // NHWC in, kept channels-last: oneDNN's depthwise and 1x1 convolutions are several times
    // faster in that layout than in NCHW on the CPU.
    auto x = ((crops.to(at::kFloat) - mean) / 255.0f).permute({0, 3, 1, 2}).to(dtype).contiguous(at::MemoryFormat::ChannelsLast);
    for (const auto& block : m_blocks) {
        x = denseBlock(x, block);
    }
    ExpressionOutput out;
    out.embedding = at::avg_pool2d(x, {7, 7}, {2, 2}).flatten(1).to(at::kFloat);
    out.logits = at::linear(out.embedding.to(dtype), m_fcWeight, m_fcBias).to(at::kFloat);
    out.probabilities = at::softmax(out.logits, 1);
    return out;
}

}  // namespace egmf::features
