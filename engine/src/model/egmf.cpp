#include "egmf.h"

namespace egmf::model {

EgmfImpl::EgmfImpl(const Manifest& m) : m_manifest(m) {
    const auto d = m.fusionDim;
    av_encoder = register_module(
        "av_encoder", AvEncoder(AudioBranch(m.audioFeatureDim, d, m.audioHeads, m.audioFeedForward), VisualBranch(m.visualFeatureDim, d)));
    text_proj = register_module("text_proj", torch::nn::Linear(m.llm.hiddenSize, d));
    fusion = register_module("fusion", CrossModalFusion(d, m.fusionHeads));
    context_gru = register_module("context_gru", ContextGru(d, m.contextHidden, m.contextBidirectional));
    enhancer = register_module("enhancer", AdaptiveFeatureEnhancer(d, m.contextDim(), m.expertRatios, m.localKernel));
    pseudo_tokens = register_module("pseudo_tokens", PseudoTokens(d, m.pseudoTokens, m.llm.hiddenSize));
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
    utterance.pooled = utterance.fusion.fused.mean(0);
}

EnhancerOutput EgmfImpl::enhance(const EncodedUtterance& utterance, const Tensor& context, const std::bitset<3>& disabledExperts) {
    return enhancer->forward(utterance.fusion.fused, utterance.spans, context, disabledExperts);
}

Tensor EgmfImpl::promptEmbeddings(const Tensor& prefixIds, const Tensor& pseudo, const Tensor& suffixIds) {
    return at::cat({llm->embed(prefixIds), pseudo, llm->embed(suffixIds)}, 0);
}

}  // namespace egmf::model
