"""ChatGLM3 in PyTorch, written after THUDM's modeling_chatglm.py (ChatGLMForConditionalGeneration,
its eager CoreAttention), as the reference for the engine's model/llm/chatglm.h. Sequence-first
[sq, b, np, hn] tensors and the same operations in the same order as the original, so that what
the engine computes differently (its [heads, T, dim] layout, one rope routine for two families) is
checked against the original's own arithmetic:
  - rotary: RotaryEmbedding(dim = kv_channels // 2) with base 10000 * rope_ratio, a cache of
    stacked (cos, sin); apply_rotary_pos_emb turns x[..., :rot_dim] reshaped into
    (rot_dim / 2, 2) pairs and passes the rest;
  - query_key_value split as [np * hn | groups * hn | groups * hn], keys and values expanded to
    np // groups consecutive heads;
  - swiglu: chunk(2) of dense_h_to_4h, silu(first) * second;
  - RMSNorm: (weight * (x * rsqrt(mean(x^2) + eps))) in float32.
LoRA adapters sit on the projections under PEFT's names (query_key_value, dense, ...).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

import egmf_reference as ref


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        variance = hidden_states.to(torch.float32).pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        return (self.weight * hidden_states).to(input_dtype)


def rope_cache(seq_len, n_elem, rope_ratio):
    base = 10000 * rope_ratio
    theta = 1.0 / (base ** (torch.arange(0, n_elem, 2, dtype=torch.float) / n_elem))
    seq_idx = torch.arange(seq_len, dtype=torch.float)
    idx_theta = torch.outer(seq_idx, theta).float()
    return torch.stack([torch.cos(idx_theta), torch.sin(idx_theta)], dim=-1)


def apply_rotary_pos_emb(x, cache):
    # x: [sq, b, np, hn]
    sq, np_ = x.size(0), x.size(2)
    rot_dim = cache.shape[-2] * 2
    x, x_pass = x[..., :rot_dim], x[..., rot_dim:]
    cache = cache[:sq]
    xshaped = x.reshape(sq, -1, np_, rot_dim // 2, 2)
    cache = cache.view(sq, -1, 1, xshaped.size(3), 2)
    x_out2 = torch.stack([
        xshaped[..., 0] * cache[..., 0] - xshaped[..., 1] * cache[..., 1],
        xshaped[..., 1] * cache[..., 0] + xshaped[..., 0] * cache[..., 1],
    ], -1)
    x_out2 = x_out2.flatten(3)
    return torch.cat((x_out2, x_pass), dim=-1)


class RotaryEmbedding(nn.Module):
    """Only its inv_freq buffer, which checkpoints carry (transformer.rotary_pos_emb.inv_freq) and
    the loader must accept and ignore; the cache is made by rope_cache, as the original's forward."""

    def __init__(self, dim):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim)))


class SelfAttention(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.np = c["num_attention_heads"]
        self.hn = c["kv_channels"]
        self.groups = c["multi_query_group_num"] if c.get("multi_query_attention") else self.np
        qkv = self.np * self.hn + 2 * self.hn * self.groups
        targets = lora["target_modules"] if lora else []
        self.query_key_value = ref.LoraLinear(c["hidden_size"], qkv, c.get("add_qkv_bias", False),
                                              lora if "query_key_value" in targets else None)
        self.dense = ref.LoraLinear(self.np * self.hn, c["hidden_size"], False, lora if "dense" in targets else None)

    def forward(self, hidden_states, cache):
        sq, b = hidden_states.shape[:2]
        mixed = self.query_key_value(hidden_states)
        q, k, v = mixed.split([self.np * self.hn, self.groups * self.hn, self.groups * self.hn], dim=-1)
        q = q.view(sq, b, self.np, self.hn)
        k = k.view(sq, b, self.groups, self.hn)
        v = v.view(sq, b, self.groups, self.hn)
        q = apply_rotary_pos_emb(q, cache)
        k = apply_rotary_pos_emb(k, cache)
        k = k.unsqueeze(-2).expand(-1, -1, -1, self.np // self.groups, -1).contiguous().view(sq, b, self.np, self.hn)
        v = v.unsqueeze(-2).expand(-1, -1, -1, self.np // self.groups, -1).contiguous().view(sq, b, self.np, self.hn)
        # CoreAttention (eager): [b, np, sq, hn]
        q, k, v = [t.permute(1, 2, 0, 3) for t in (q, k, v)]
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hn)
        mask = torch.ones(sq, sq, dtype=torch.bool).tril().logical_not()
        scores = scores.masked_fill(mask, float("-inf"))
        context = torch.matmul(F.softmax(scores.float(), dim=-1).type_as(v), v)
        context = context.permute(2, 0, 1, 3).reshape(sq, b, self.np * self.hn)
        return self.dense(context)


class MLP(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        targets = lora["target_modules"] if lora else []
        ffn = c["ffn_hidden_size"]
        self.dense_h_to_4h = ref.LoraLinear(c["hidden_size"], 2 * ffn, False, lora if "dense_h_to_4h" in targets else None)
        self.dense_4h_to_h = ref.LoraLinear(ffn, c["hidden_size"], False, lora if "dense_4h_to_h" in targets else None)

    def forward(self, x):
        x = self.dense_h_to_4h(x)
        x = torch.chunk(x, 2, dim=-1)
        return self.dense_4h_to_h(F.silu(x[0]) * x[1])


class GLMBlock(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        eps = c.get("layernorm_epsilon", 1e-5)
        self.input_layernorm = RMSNorm(c["hidden_size"], eps)
        self.self_attention = SelfAttention(c, lora)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], eps)
        self.mlp = MLP(c, lora)

    def forward(self, hidden_states, cache):
        layernorm_output = self.input_layernorm(hidden_states)
        attention_output = self.self_attention(layernorm_output, cache)
        layernorm_input = hidden_states + attention_output
        layernorm_output = self.post_attention_layernorm(layernorm_input)
        return layernorm_input + self.mlp(layernorm_output)


class Embedding(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["padded_vocab_size"], c["hidden_size"])


class GLMTransformer(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.layers = nn.ModuleList([GLMBlock(c, lora) for _ in range(c["num_layers"])])
        self.final_layernorm = RMSNorm(c["hidden_size"], c.get("layernorm_epsilon", 1e-5))


class ChatGLMModel(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.config = c
        self.embedding = Embedding(c)
        self.encoder = GLMTransformer(c, lora)
        self.output_layer = nn.Linear(c["hidden_size"], c["padded_vocab_size"], bias=False)
        self.rotary_pos_emb = RotaryEmbedding(c["kv_channels"] // 2)


class ChatGLMForConditionalGeneration(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.transformer = ChatGLMModel(c, lora)

    def logits(self, input_ids):
        c = self.transformer.config
        hidden = self.transformer.embedding.word_embeddings(input_ids).unsqueeze(1)  # [sq, b=1, h]
        cache = rope_cache(input_ids.shape[0], c["kv_channels"] // 2, c.get("rope_ratio", 1))
        for layer in self.transformer.encoder.layers:
            hidden = layer(hidden, cache)
        hidden = self.transformer.encoder.final_layernorm(hidden)
        return self.transformer.output_layer(hidden).squeeze(1).float()
