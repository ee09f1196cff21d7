#include "merits.h"

namespace egmf::model {

ConversationEncoderImpl::ConversationEncoderImpl(std::int64_t inputDim, std::int64_t hidden, bool bidirectional) {
    gru = register_module("gru", ContextGru(inputDim, hidden, bidirectional));
    attention = register_module("attention", MultiheadAttention(hidden * (bidirectional ? 2 : 1), 1));
}

Tensor ConversationEncoderImpl::forward(const Tensor& utterances) {
    const auto states = gru->forward(utterances);
    return states + attention->forward(states, states, states).output;
}

CoAttentionImpl::CoAttentionImpl(std::int64_t dim, std::int64_t heads) {
    text_to_audio = register_module("text_to_audio", MultiheadAttention(dim, heads));
    audio_to_text = register_module("audio_to_text", MultiheadAttention(dim, heads));
}

MeritsImpl::MeritsImpl(const Manifest& m) : m_manifest(m) {
    using torch::nn::Linear;
    const auto d = m.fusionDim, c = m.contextDim();
    const auto classes = static_cast<std::int64_t>(m.labels.size());
    text_embed = register_module("text_embed", TokenEmbedding(m.llm.vocabSize, m.llm.hiddenSize));
    text_proj = register_module("text_proj", Linear(m.llm.hiddenSize, d));
    text_encoder = register_module("text_encoder", TransformerEncoderLayer(d, m.audioHeads, m.audioFeedForward));
    audio_encoder = register_module("audio_encoder", AudioBranch(m.audioFeatureDim, d, m.audioHeads, m.audioFeedForward));
    text_head = register_module("text_head", Linear(d, classes));
    audio_head = register_module("audio_head", Linear(d, classes));
    text_context = register_module("text_context", ConversationEncoder(d, m.contextHidden, m.contextBidirectional));
    text_context_head = register_module("text_context_head", Linear(c, classes));
    audio_context = register_module("audio_context", ConversationEncoder(d, m.contextHidden, m.contextBidirectional));
    audio_context_head = register_module("audio_context_head", Linear(c, classes));
    coattention = register_module("coattention", CoAttention(c, m.fusionHeads));
    fusion_head = register_module("fusion_head", Linear(2 * c, classes));
}

Tensor MeritsImpl::encodeText(const Tensor& ids) {
    if (ids.numel() == 0) return at::zeros({m_manifest.fusionDim}, options());
    auto x = text_proj->forward(text_embed->forward(ids));
    x = x + sinusoidalPositions(x.size(0), m_manifest.fusionDim, x.options());
    return text_encoder->forward(x).mean(0);
}

Tensor MeritsImpl::encodeAudio(const Tensor& audio) {
    if (audio.size(0) == 0) return at::zeros({m_manifest.fusionDim}, options());
    return audio_encoder->forward(audio).mean(0);
}

MeritsOutput MeritsImpl::forward(const std::vector<MeritsInputs>& utterances) {
    std::vector<Tensor> text, audio;
    for (const auto& u : utterances) {
        text.push_back(encodeText(u.textIds));
        audio.push_back(encodeAudio(u.audio));
    }
    MeritsOutput out;
    out.textUtterance = at::stack(text);
    out.audioUtterance = at::stack(audio);
    out.textLogits = text_head->forward(out.textUtterance);
    out.audioLogits = audio_head->forward(out.audioUtterance);
    out.textContext = text_context->forward(out.textUtterance);
    out.audioContext = audio_context->forward(out.audioUtterance);
    out.textContextLogits = text_context_head->forward(out.textContext);
    out.audioContextLogits = audio_context_head->forward(out.audioContext);
    auto textSide = coattention->text_to_audio->forward(out.textContext, out.audioContext, out.audioContext);
    auto audioSide = coattention->audio_to_text->forward(out.audioContext, out.textContext, out.textContext);
    out.textToAudio = textSide.weights;
    out.audioToText = audioSide.weights;
    out.fusedLogits = fusion_head->forward(at::cat({out.textContext + textSide.output, out.audioContext + audioSide.output}, -1));
    return out;
}

}  // namespace egmf::model
