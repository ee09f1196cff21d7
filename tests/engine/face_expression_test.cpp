// The face-expression network on the bundled weights: a batch equals its crops run one by one,
// and on CUDA (when there is one) float32 equals the CPU and bfloat16 stays close. The golden
// test against face-api's own TF.js code is tests/golden/face_expression_golden_test.cpp.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "features/face_expression.h"

namespace egmf::features {
namespace {

TEST(FaceExpression, batch_equalsOneByOne_andCudaEqualsCpu) {
    auto net = FaceExpressionNet::load();
    ASSERT_TRUE(net.ok()) << net.error().message;
    at::manual_seed(3);
    const auto crops = at::randint(0, 256, {6, 112, 112, 3}).to(at::kByte);
    const auto batch = net->forward(crops);
    ASSERT_EQ(batch.embedding.sizes(), (at::IntArrayRef{6, 256}));
    for (int i = 0; i < 6; ++i) {
        const auto alone = net->forward(crops.slice(0, i, i + 1));
        EXPECT_LE((alone.logits[0] - batch.logits[i]).abs().max().item<double>(), 1e-5);
    }
    EXPECT_LE((batch.probabilities.sum(1) - 1).abs().max().item<double>(), 1e-5);
    if (!at::hasCUDA()) {
        GTEST_SKIP() << "no CUDA device: the CPU half of this test passed";
    }
    auto cuda = std::move(*net);
    cuda.to(at::kCUDA);
    // cuDNN's TF32 convolutions (on by default on Ampere and later) round the inputs to 10-bit
    // mantissas: compare true float32 first, then report what TF32 costs.
    auto& context = at::globalContext();
    const bool tf32 = context.allowTF32CuDNN();
    context.setAllowTF32CuDNN(false);
    const auto onGpu = cuda.forward(crops.to(at::kCUDA));
    context.setAllowTF32CuDNN(true);
    const auto withTf32 = cuda.forward(crops.to(at::kCUDA));
    context.setAllowTF32CuDNN(tf32);
    const double logits = (onGpu.logits.cpu() - batch.logits).abs().max().item<double>();
    const double embedding = (onGpu.embedding.cpu() - batch.embedding).abs().max().item<double>();
    const double tf32Logits = (withTf32.logits.cpu() - batch.logits).abs().max().item<double>();
    EXPECT_LE(logits, 1e-4);
    EXPECT_LE(embedding, 1e-4);
    cuda.to(at::kCUDA, at::kBFloat16);
    const auto bf16 = cuda.forward(crops.to(at::kCUDA));
    const double bf16Logits = (bf16.logits.cpu() - batch.logits).abs().max().item<double>();
    EXPECT_TRUE(std::isfinite(bf16Logits));
    std::printf(
        "[ cuda     ] face-api net vs CPU: float32 logits %.3g, embedding %.3g; TF32 logits %.3g; bfloat16 "
        "logits %.3g\n",
        logits, embedding, tf32Logits, bf16Logits);
}

}  // namespace
}  // namespace egmf::features
