#pragma once
// MERITS-L (docs/merits-l.md; MODEL.md, "MERITS-L"): speech + text emotion recognition in a
// conversation, in three stages that are also its three training stages.
//   I   per utterance: text = LLM embedding rows -> linear -> positions -> one transformer layer ->
//       mean; speech = EGMF's log-mel audio branch -> mean (the offline substitutes for RoBERTa and
//       CARE); each with its own classifier.
//   II  per modality, over the conversation: a Bi-GRU then single-head self-attention (residual);
//       each with its own classifier.
//   III co-attention: the text sequence attends to the speech sequence and the other way round
//       (nn.MultiheadAttention, `fusion.heads` heads); [c_t + z_t ; c_a + z_a] -> classifier.
// A missing modality is a zero utterance vector. Both co-attention maps are kept for the trace.
// Parameter names are the checkpoint keys (checkpoint/expected_tensors.cpp, meritsTensors).

#include <vector>

#include "av_encoder.h"
#include "context_gru.h"
#include "egmf/manifest.h"
#include "llm/causal_lm.h"
#include "multihead_attention.h"
#include "torch_nn.h"

namespace egmf::model {

struct MeritsInputs {
    Tensor textIds;  ///< [T] int64; empty: no text
    Tensor audio;    ///< [frames, features]; empty: no speech
};

struct MeritsOutput {
    Tensor textUtterance, audioUtterance;          ///< stage I vectors [N, d]
    Tensor textLogits, audioLogits;                ///< stage I [N, C]
    Tensor textContext, audioContext;              ///< stage II [N, c]
    Tensor textContextLogits, audioContextLogits;  ///< stage II [N, C]
    Tensor textToAudio, audioToText;               ///< co-attention weights [heads, N, N]
    Tensor fusedLogits;                            ///< stage III [N, C]
};

/// Stage II for one modality: Bi-GRU, then self-attention over the conversation with a residual.
class ConversationEncoderImpl : public torch::nn::Module {
public:
    ConversationEncoderImpl(std::int64_t inputDim, std::int64_t hidden, bool bidirectional);
    Tensor forward(const Tensor& utterances);  ///< [N, inputDim] -> [N, hidden * directions]
    ContextGru gru{nullptr};
    MultiheadAttention attention{nullptr};
};
TORCH_MODULE(ConversationEncoder);

class CoAttentionImpl : public torch::nn::Module {
public:
    CoAttentionImpl(std::int64_t dim, std::int64_t heads);
    MultiheadAttention text_to_audio{nullptr}, audio_to_text{nullptr};
};
TORCH_MODULE(CoAttention);

class MeritsImpl : public torch::nn::Module {
public:
    explicit MeritsImpl(const Manifest& manifest);
    Tensor encodeText(const Tensor& ids);     ///< [d]
    Tensor encodeAudio(const Tensor& audio);  ///< [d]
    MeritsOutput forward(const std::vector<MeritsInputs>& utterances);

    at::TensorOptions options() const { return text_proj->weight.options(); }
    const Manifest& manifest() const { return m_manifest; }

    TokenEmbedding text_embed{nullptr};
    torch::nn::Linear text_proj{nullptr};
    TransformerEncoderLayer text_encoder{nullptr};
    AudioBranch audio_encoder{nullptr};
    torch::nn::Linear text_head{nullptr}, audio_head{nullptr};
    ConversationEncoder text_context{nullptr}, audio_context{nullptr};
    torch::nn::Linear text_context_head{nullptr}, audio_context_head{nullptr};
    CoAttention coattention{nullptr};
    torch::nn::Linear fusion_head{nullptr};

private:
    Manifest m_manifest;
};
TORCH_MODULE(Merits);

}  // namespace egmf::model
