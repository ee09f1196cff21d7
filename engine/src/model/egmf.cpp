#include "egmf.h"

namespace egmf::model {

EgmfImpl::EgmfImpl(const Manifest& m) : m_manifest(m) {
    const auto d = m.fusionDim;
    av_encoder = register_module(
        "av_encoder", AvEncoder(AudioBranch(m.audioFeatureDim, d, m.audioHeads, m.audioFeedForward), VisualBranch(m.visualFeatureDim, d)));
    text_proj = register_module("text_proj", torch::nn::Linear(m.llm.hiddenSize, d));
    fusion = register_module("fusion", CrossModalFusion(d, m.fusionHeads));
    context_pool = register_module("context_pool", UtterancePool(d, m.design.contextPooling));
    if (m.design.context == "gru") {
        context_gru = register_module("context_gru", ContextGru(pooledDim(), m.contextHidden, m.contextBidirectional));
    } else if (m.design.context == "attention") {
        context_attention = register_module("context_attention", ContextAttention(pooledDim(), m.contextDim(), m.contextBidirectional));
    }
    enhancer = register_module("enhancer", AdaptiveFeatureEnhancer(m));
    pseudo_tokens = register_module("pseudo_tokens", PseudoTokens(m));
    llm = register_module("llm", makeCausalLm(m.llm, m.lora));
}

EncodedUtterance EgmfImpl::encode(const UtteranceInputs& inputs) {
    EncodedUtterance out;
    // The frozen LLM embedding rows, projected d_llm -> d.
    out.text = text_proj->forward(llm->embed(inputs.textIds));
    out.audio = av_encoder->audio->forward(inputs.audio);
    out.visual = av_encoder->visual->forward(inputs.visual);
    out.spans = {out.text.size(0), out.audio.size(0), out.visual.size(0)};
    return out;
}

void EgmfImpl::fuse(EncodedUtterance& utterance) {
    utterance.fusion = fusion->forward(utterance.text, utterance.audio, utterance.visual);
    utterance.pooled = context_pool->forward(utterance.fusion.fused, utterance.spans);
}

Tensor EgmfImpl::dialogueContext(const Tensor& pooled) {
    Tensor context;
    if (context_gru) {
        context = context_gru->forward(pooled);
    } else if (context_attention) {
        context = context_attention->forward(pooled);
    } else {
        context = at::zeros({pooled.size(0), 0}, pooled.options());
    }
    if (!enhancer->global->readsDialogue()) return context;
    return at::cat({context, enhancer->global->dialogueStates(pooled)}, 1);
}

EnhancerOutput EgmfImpl::enhance(const EncodedUtterance& utterance, const Tensor& context, const std::bitset<3>& disabledExperts) {
    return enhancer->forward(utterance.fusion.fused, utterance.spans, context, disabledExperts);
}

Tensor EgmfImpl::promptEmbeddings(const Tensor& prefixIds, const Tensor& pseudo, const Tensor& suffixIds) {
    return at::cat({llm->embed(prefixIds), pseudo, llm->embed(suffixIds)}, 0);
}

}  // namespace egmf::model
