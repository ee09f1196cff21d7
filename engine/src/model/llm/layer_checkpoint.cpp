#include "layer_checkpoint.h"

#include <torch/autograd.h>

namespace egmf::model {
namespace {

Tensor decoderLayerForward(DecoderLayerImpl& layer, const RotaryEmbedding& rope, const Tensor& h, const Tensor& positions,
                           const Tensor& blocked) {
    Tensor keys, values;  // no cache: the whole sequence at once
    return layer.forward(h, rope, positions, keys, values, blocked);
}

/// The layer and the rotary embedding live as long as the model, which outlives the step's
/// backward pass; the function keeps their addresses.
class Recompute : public torch::autograd::Function<Recompute> {
public:
    static Tensor forward(torch::autograd::AutogradContext* ctx, const Tensor& h, const Tensor& positions, const Tensor& blocked,
                          const Tensor& /*anchor*/, DecoderLayerImpl* layer, const RotaryEmbedding* rope) {
        ctx->saved_data["layer"] = reinterpret_cast<std::int64_t>(layer);
        ctx->saved_data["rope"] = reinterpret_cast<std::int64_t>(rope);
        ctx->saved_data["blocked"] = blocked;
        ctx->saved_data["random"] = at::globalContext().defaultGenerator(h.device()).get_state();
        ctx->save_for_backward({h, positions});
        return decoderLayerForward(*layer, *rope, h, positions, blocked);  // autograd is off in a Function's forward
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list outputGrads) {
        const auto saved = ctx->get_saved_variables();
        auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
        const auto* rope = reinterpret_cast<const RotaryEmbedding*>(ctx->saved_data["rope"].toInt());
        const auto blocked = ctx->saved_data["blocked"].toTensor();
        auto generator = at::globalContext().defaultGenerator(saved[0].device());
        const auto now = generator.get_state();
        generator.set_state(ctx->saved_data["random"].toTensor());  // the same dropout as the first run
        auto input = saved[0].detach().requires_grad_(saved[0].requires_grad());
        {
            at::AutoGradMode enabled(true);
            const auto output = decoderLayerForward(*layer, *rope, input, saved[1], blocked);
            // Reentrant, as torch.utils.checkpoint: the layer's parameters get their gradients here.
            torch::autograd::backward({output}, {outputGrads[0]});
        }
        generator.set_state(now);
        return {input.requires_grad() ? input.grad() : Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

}  // namespace

Tensor checkpointedDecoderLayer(DecoderLayerImpl& layer, const RotaryEmbedding& rope, const Tensor& h, const Tensor& positions,
                                const Tensor& blocked) {
    // The layer's weights are not inputs of the function, so when `h` needs no gradient (the first
    // layer over frozen embeddings) autograd would see nothing to differentiate: an empty input
    // that asks for one makes it run the backward pass (torch.utils.checkpoint's own remedy).
    const auto anchor = at::empty({0}, h.options().dtype(at::kFloat)).requires_grad_(true);
    return Recompute::apply(h, positions, blocked, anchor, &layer, &rope);
}

}  // namespace egmf::model
