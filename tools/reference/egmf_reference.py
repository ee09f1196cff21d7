#!/usr/bin/python3
"""The EGMF reference in Python PyTorch, written from ../shared/MODEL.md with PyTorch's own modules
(nn.MultiheadAttention, nn.GRU, nn.TransformerEncoderLayer, F.mish/gelu/silu) and a Llama decoder
written after transformers' modeling_llama. It is the golden source for the C++ engine's tests and
the second column of `egmf bench model`.

Run it with Debian's interpreter (/usr/bin/python3, python3-torch): Debian has no
python3-safetensors, so safetensors files are read and written here directly.

Modes:
  run   --checkpoint DIR --inputs IN.safetensors --outputs OUT.safetensors
        every stage of every utterance (names as engine/src/runtime/reference_io.h lists)
  bench --checkpoint DIR --inputs IN.safetensors --repeats R --threads N
        prints one JSON line: median per-utterance milliseconds, in total and per stage
  export --manifest MANIFEST.json --checkpoint OUT_DIR [--seed S]
        builds Egmf(manifest) with PyTorch's initialisations and saves it with save_checkpoint
        (what a PyTorch training script does at its end; the engine's tests load the result)

Exporting a PyTorch-trained EGMF to the project's format: build `Egmf(manifest)` here (or any module
with the same parameter names), train it, then call `save_checkpoint(model, manifest, folder)`;
the state_dict keys are the checkpoint keys of docs/checkpoint.md.
"""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------- safetensors
_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        dtype = _DTYPES[info["dtype"]]
        if end > begin:
            t = torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]).clone()
        else:
            t = torch.zeros(info["shape"], dtype=dtype)
        tensors[name] = t
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


# ----------------------------------------------------------------------------- the model
def sinusoidal_positions(length, dim):
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    even = torch.arange(0, dim, 2, dtype=torch.float32)
    angle = position * torch.exp(even * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)[:, : dim // 2]
    return table


class AudioBranch(nn.Module):
    def __init__(self, features, d, heads, ff):
        super().__init__()
        self.d = d
        self.conv1 = nn.Conv1d(features, d, 3, stride=2, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.encoder_layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation=F.gelu,
                                                        batch_first=True, norm_first=True)

    def forward(self, mel):  # [T, F]
        if mel.shape[0] == 0:
            return mel.new_zeros(0, self.d)
        x = F.gelu(self.conv2(F.gelu(self.conv1(mel.t().unsqueeze(0))))).squeeze(0).t()
        x = x + sinusoidal_positions(x.shape[0], self.d).to(x)
        return self.encoder_layer(x.unsqueeze(0)).squeeze(0)


class VisualBranch(nn.Module):
    def __init__(self, features, d):
        super().__init__()
        self.d = d
        self.proj = nn.Linear(features, d)
        self.temporal_conv = nn.Conv1d(d, d, 3, padding=1)

    def forward(self, faces):
        if faces.shape[0] == 0:
            return faces.new_zeros(0, self.d)
        return self.temporal_conv(self.proj(faces).t().unsqueeze(0)).squeeze(0).t()


class AvEncoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        d = m["fusion"]["dim"]
        self.audio = AudioBranch(m["audio"]["feature_dim"], d, m["audio"]["heads"], m["audio"]["feed_forward"])
        self.visual = VisualBranch(m["visual"]["feature_dim"], d)


def attend(mha, q, kv, heads):
    """nn.MultiheadAttention on unbatched [T, d]; an empty key set gives zeros."""
    if kv.shape[0] == 0:
        return torch.zeros_like(q), q.new_zeros(heads, q.shape[0], 0)
    out, w = mha(q.unsqueeze(0), kv.unsqueeze(0), kv.unsqueeze(0), need_weights=True,
                 average_attn_weights=False)
    return out.squeeze(0), w.squeeze(0)


class CrossModalFusion(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.modality_embedding = nn.Parameter(torch.zeros(3, d))
        self.text_to_av = nn.MultiheadAttention(d, heads, batch_first=True)
        self.av_to_text = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm_text = nn.LayerNorm(d)
        self.norm_av = nn.LayerNorm(d)

    def forward(self, t, a, v):
        t = t + self.modality_embedding[0]
        av = torch.cat([a + self.modality_embedding[1], v + self.modality_embedding[2]], 0)
        z_t, w_t2av = attend(self.text_to_av, t, av, self.heads)
        z_av, w_av2t = attend(self.av_to_text, av, t, self.heads)
        fused = torch.cat([self.norm_text(t + z_t), self.norm_av(av + z_av)], 0)
        return fused, w_t2av, w_av2t


class Expert(nn.Module):
    def __init__(self, d, ratio, act):
        super().__init__()
        hidden = max(1, round(d * ratio))
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)
        self.act = act

    def bottleneck(self, x):
        return self.fc2(self.act(self.fc1(x)))


def span_index(spans):
    """Which modality's span each position of H_f lies in (text 0, audio 1, visual 2)."""
    return torch.cat([torch.full((n,), m, dtype=torch.long) for m, n in enumerate(spans)])


class LocalExpert(Expert):
    def __init__(self, d, ratio, kernel, mode="conv"):
        # PyTorch 1.13 has no CPU mish for bf16/f16; float32 there, as the engine does.
        super().__init__(d, ratio, lambda x: F.mish(x.float()).to(x.dtype))
        self.kernel = kernel
        if mode == "window_attention":
            self.attn = nn.MultiheadAttention(d, 1, batch_first=True)
        else:
            self.mix = nn.Conv1d(d, d, kernel, padding=kernel // 2, groups=d)

    def forward(self, h, spans):
        if hasattr(self, "attn"):  # attention within kernel // 2 positions, inside one span
            span = span_index(spans).to(h.device)
            index = torch.arange(h.shape[0], device=h.device)
            blocked = ((index[None, :] - index[:, None]).abs() > self.kernel // 2) | (span[None, :] != span[:, None])
            out, _ = self.attn(h.unsqueeze(0), h.unsqueeze(0), h.unsqueeze(0), attn_mask=blocked)
            return self.bottleneck(out.squeeze(0))
        parts, start = [], 0
        for length in spans:  # within each modality's span
            if length:
                parts.append(self.mix(h[start:start + length].t().unsqueeze(0)).squeeze(0).t())
            start += length
        return self.bottleneck(torch.cat(parts, 0))


class SemanticExpert(Expert):
    def __init__(self, d, ratio):
        super().__init__(d, ratio, F.gelu)
        self.attn = nn.MultiheadAttention(d, 1, batch_first=True)

    def forward(self, h):
        return self.bottleneck(attend(self.attn, h, h, 1)[0])


class GlobalExpert(Expert):
    def __init__(self, d, ratio, mode="mean", heads=1, pooled_dim=0):
        super().__init__(d, ratio, F.silu)
        if mode == "attention":
            self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        elif mode == "dialogue_gru":
            self.gru = nn.GRU(pooled_dim, d // 2, bidirectional=True, batch_first=True)

    def forward(self, h, state=None):
        if hasattr(self, "attn"):
            return self.bottleneck(attend(self.attn, h, h, self.attn.num_heads)[0])
        if hasattr(self, "gru"):
            return self.bottleneck(h + state.unsqueeze(0))
        return self.bottleneck(h + h.mean(0, keepdim=True))


class HierarchicalGate(nn.Module):
    def __init__(self, d, c, sequential=False, modality_gate=False):
        super().__init__()
        self.sequential = sequential
        self.feature = nn.Linear(d, 3)
        self.context = nn.Linear(d + c + (3 if sequential else 0), 3)
        self.residual = nn.Linear(d + c, 1)
        if modality_gate:
            self.modality = nn.Linear(d + c, 3)

    def forward(self, h, ctx, disabled, spans):
        hc = torch.cat([h, ctx.unsqueeze(0).expand(h.shape[0], -1)], 1)
        mask = torch.tensor([bool(x) for x in disabled], device=h.device)
        z_f = self.feature(h).masked_fill(mask, float("-inf"))
        g_f = torch.softmax(z_f, -1)
        if self.sequential:  # the context gate reads the feature gate and decides
            g_c = torch.softmax(self.context(torch.cat([hc, g_f], 1)).masked_fill(mask, float("-inf")), -1)
            g = g_c
        else:
            z_c = self.context(hc).masked_fill(mask, float("-inf"))
            g_c, g = torch.softmax(z_c, -1), torch.softmax(z_f + z_c, -1)
        g_mod = None
        if hasattr(self, "modality"):
            logits, start = [], 0
            for m, n in enumerate(spans):
                if n:
                    logits.append(self.modality(torch.cat([h[start:start + n].mean(0), ctx]))[m])
                else:
                    logits.append(h.new_tensor(float("-inf")))
                start += n
            g_mod = torch.softmax(torch.stack(logits), 0)
        return g_f, g_c, g, torch.sigmoid(self.residual(hc)), g_mod


def design(m):
    """The manifest's EnhancerDesign, MODEL.md's defaults where it says nothing (engine/include/egmf/manifest.h)."""
    e, c, p = m.get("enhancer", {}), m.get("context", {}), m.get("pooling", {})
    return {"local": e.get("local", "conv"), "global": e.get("global", "mean"), "gates": e.get("gates", "parallel"),
            "modality_gate": e.get("modality_gate", False), "context": c.get("module", "gru"),
            "context_pooling": p.get("context", "mean"), "pseudo_pooling": p.get("pseudo_tokens", "mean")}


def context_dim(m):
    ctx = m["context"]
    return 0 if design(m)["context"] == "none" else ctx["hidden"] * (2 if ctx["bidirectional"] else 1)


def pooled_dim(m, pooling):
    return 3 * m["fusion"]["dim"] if pooling == "modality_mean" else m["fusion"]["dim"]


class Pool(nn.Module):
    """pool(): mean, per-modality means concatenated (zeros where absent), or learned attention."""

    def __init__(self, d, mode):
        super().__init__()
        self.mode = mode
        if mode == "attention":
            self.score = nn.Linear(d, 1)

    def forward(self, h, spans):
        if self.mode == "attention":
            return torch.softmax(self.score(h).squeeze(1), 0) @ h
        if self.mode == "modality_mean":
            parts, start = [], 0
            for n in spans:
                parts.append(h[start:start + n].mean(0) if n else h.new_zeros(h.shape[1]))
                start += n
            return torch.cat(parts)
        return h.mean(0)


class ContextAttention(nn.Module):
    def __init__(self, p, c, bidirectional):
        super().__init__()
        self.bidirectional = bidirectional
        self.attn = nn.MultiheadAttention(p, 1, batch_first=True)
        self.proj = nn.Linear(p, c)

    def forward(self, pooled):
        n = pooled.shape[0]
        mask = None if self.bidirectional else torch.ones(n, n, dtype=torch.bool, device=pooled.device).triu(1)
        out, _ = self.attn(pooled.unsqueeze(0), pooled.unsqueeze(0), pooled.unsqueeze(0), attn_mask=mask)
        return self.proj(out.squeeze(0))


class Enhancer(nn.Module):
    def __init__(self, m, c):
        super().__init__()
        d, r, x = m["fusion"]["dim"], m["experts"]["ratios"], design(m)
        self.c = c
        self.local = LocalExpert(d, r[0], m["experts"]["local_kernel"], x["local"])
        self.semantic = SemanticExpert(d, r[1])
        # "global" is a Python keyword: registered by name so the key stays enhancer.global.*
        self.add_module("global", GlobalExpert(d, r[2], x["global"], m["fusion"]["heads"], pooled_dim(m, x["context_pooling"])))
        self.gate = HierarchicalGate(d, c, x["gates"] == "sequential", x["modality_gate"])

    def forward(self, h, spans, dialogue, disabled):
        n = h.shape[0]
        modality_gate = hasattr(self.gate, "modality")
        if all(disabled):
            z = h.new_zeros(n, 3)
            return h, z, z, z, h.new_ones(n, 1), (h.new_zeros(3) if modality_gate else None)
        ctx, state = dialogue[:self.c], dialogue[self.c:]
        g_f, g_c, g, alpha, g_mod = self.gate(h, ctx, disabled, spans)
        experts = [lambda: self.local(h, spans), lambda: self.semantic(h),
                   lambda: getattr(self, "global")(h, state)]
        mixture = torch.zeros_like(h)
        for k in range(3):
            if not disabled[k]:
                mixture = mixture + g[:, k:k + 1] * experts[k]()
        if g_mod is not None:
            present = sum(1 for length in spans if length)
            scale = torch.cat([g_mod[m].expand(length) for m, length in enumerate(spans) if length]) * present
            mixture = mixture * scale.unsqueeze(1)
        return alpha * h + (1 - alpha) * mixture, g_f, g_c, g, alpha, g_mod


# --- Llama, after transformers' modeling_llama (eager attention)
class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


class LoraLinear(nn.Module):
    """nn.Linear plus a PEFT LoRA adapter (lora_A, lora_B) when targeted."""

    def __init__(self, i, o, bias, lora):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(o, i))
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None
        self.scale = 0.0
        if lora:
            self.lora_A = nn.Linear(i, lora["r"], bias=False)
            self.lora_B = nn.Linear(lora["r"], o, bias=False)
            r = lora["r"]
            self.scale = lora["lora_alpha"] / (math.sqrt(r) if lora.get("use_rslora") else r)

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.scale:
            y = y + self.lora_B(self.lora_A(x)) * self.scale
        return y


def rope_inv_freq(c):
    dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    s = c.get("rope_scaling") or c.get("rope_parameters") or {}
    kind = s.get("rope_type", s.get("type", "default"))
    if kind == "linear":
        inv = inv / s["factor"]
    elif kind == "llama3":
        factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
        old = s["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / low, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) * ~(wavelen > old / low)
        inv = torch.where(medium, smoothed, scaled)
    return inv


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), -1)


class LlamaAttention(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.h, self.kv = c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = c.get("head_dim") or c["hidden_size"] // self.h
        b = c.get("attention_bias", False)
        t = lambda n: lora if lora and n in lora["target_modules"] else None
        self.q_proj = LoraLinear(c["hidden_size"], self.h * self.hd, b, t("q_proj"))
        self.k_proj = LoraLinear(c["hidden_size"], self.kv * self.hd, b, t("k_proj"))
        self.v_proj = LoraLinear(c["hidden_size"], self.kv * self.hd, b, t("v_proj"))
        self.o_proj = LoraLinear(self.h * self.hd, c["hidden_size"], False, t("o_proj"))

    def forward(self, x, cos, sin, cache):
        T = x.shape[0]
        q = self.q_proj(x).view(T, self.h, self.hd).transpose(0, 1)
        k = self.k_proj(x).view(T, self.kv, self.hd).transpose(0, 1)
        v = self.v_proj(x).view(T, self.kv, self.hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None and cache[0] is not None:
            k, v = torch.cat([cache[0], k], 1), torch.cat([cache[1], v], 1)
        new_cache = (k, v)
        rep = self.h // self.kv
        k = k[:, None].expand(self.kv, rep, *k.shape[1:]).reshape(self.h, *k.shape[1:])
        v = v[:, None].expand(self.kv, rep, *v.shape[1:]).reshape(self.h, *v.shape[1:])
        scores = q @ k.transpose(1, 2) / math.sqrt(self.hd)
        past = k.shape[1] - T
        mask = torch.ones(T, k.shape[1], dtype=torch.bool, device=x.device).triu(past + 1)
        scores = scores.masked_fill(mask, float("-inf"))
        w = torch.softmax(scores, -1, dtype=torch.float32).to(q.dtype)
        return self.o_proj((w @ v).transpose(0, 1).reshape(T, self.h * self.hd)), new_cache


class LlamaMlp(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        t = lambda n: lora if lora and n in lora["target_modules"] else None
        h, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = LoraLinear(h, i, False, t("gate_proj"))
        self.up_proj = LoraLinear(h, i, False, t("up_proj"))
        self.down_proj = LoraLinear(i, h, False, t("down_proj"))

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.self_attn = LlamaAttention(c, lora)
        self.mlp = LlamaMlp(c, lora)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaModel(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(LlamaLayer(c, lora) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c, lora):
        super().__init__()
        self.c = c
        self.model = LlamaModel(c, lora)
        self.lm_head = None if c.get("tie_word_embeddings") else nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        self.register_buffer("inv_freq", rope_inv_freq(c), persistent=False)

    def forward(self, x, cache):
        """x [T, hidden] after `cache` (a list of per-layer (k, v) or None) -> hidden, cache."""
        past = 0 if cache is None or cache[0] is None else cache[0][0].shape[1]
        pos = torch.arange(past, past + x.shape[0], dtype=torch.float32, device=x.device)
        freqs = pos[:, None] * self.inv_freq[None, :].float()
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        new_cache = []
        for i, layer in enumerate(self.model.layers):
            a, kv = layer.self_attn(layer.input_layernorm(x), cos, sin, None if cache is None else cache[i])
            x = x + a
            x = x + layer.mlp(layer.post_attention_layernorm(x))
            new_cache.append(kv)
        return self.model.norm(x), new_cache

    def logits(self, h):
        w = self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight
        return F.linear(h, w).float()


class Egmf(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        if m["llm"].get("model_type") == "chatglm":
            sys.exit("egmf_reference.py: an EGMF over ChatGLM3 is not in this reference; "
                     "tools/reference/chatglm_reference.py is the ChatGLM3 decoder alone")
        d = m["fusion"]["dim"]
        ctx, x = m["context"], design(m)
        c_dim, p_dim = context_dim(m), pooled_dim(m, x["context_pooling"])
        self.av_encoder = AvEncoder(m)
        self.text_proj = nn.Linear(m["llm"]["hidden_size"], d)
        self.fusion = CrossModalFusion(d, m["fusion"]["heads"])
        self.context_pool = Pool(d, x["context_pooling"])
        if x["context"] == "gru":
            self.context_gru = nn.GRU(p_dim, ctx["hidden"], bidirectional=ctx["bidirectional"], batch_first=True)
        elif x["context"] == "attention":
            self.context_attention = ContextAttention(p_dim, c_dim, ctx["bidirectional"])
        self.enhancer = Enhancer(m, c_dim)
        self.pseudo_tokens = nn.Module()
        self.pseudo_tokens.proj = nn.Linear(pooled_dim(m, x["pseudo_pooling"]), m["pseudo_tokens"] * m["llm"]["hidden_size"])
        self.pseudo_tokens.pool = Pool(d, x["pseudo_pooling"])
        self.llm = LlamaForCausalLM(m["llm"], m.get("lora"))

    def dialogue_context(self, pooled):
        """c_i per utterance, then (global dialogue_gru) the global expert's state: EgmfImpl::dialogueContext."""
        if hasattr(self, "context_gru"):
            ctx = self.context_gru(pooled.unsqueeze(0))[0].squeeze(0)
        elif hasattr(self, "context_attention"):
            ctx = self.context_attention(pooled)
        else:
            ctx = pooled.new_zeros(pooled.shape[0], 0)
        expert = getattr(self.enhancer, "global")
        if hasattr(expert, "gru"):
            ctx = torch.cat([ctx, expert.gru(pooled.unsqueeze(0))[0].squeeze(0)], 1)
        return ctx


# ----------------------------------------------------------------------------- checkpoints
def checkpoint_key(name):
    if (".lora_A." in name or ".lora_B." in name) and name.startswith("llm."):
        return "lora." + name[len("llm."):]
    return name


def parameter_name(key):
    if (".lora_A." in key or ".lora_B." in key) and key.startswith("lora."):
        return "llm." + key[len("lora."):]
    return key


def load_checkpoint(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    model = Egmf(manifest)
    weights, _ = read_safetensors(os.path.join(folder, "model.safetensors"))
    model.load_state_dict({parameter_name(k): v for k, v in weights.items()}, strict=True)
    return model.eval(), manifest


def save_checkpoint(model, manifest, folder, metadata=None):
    """Exports a PyTorch EGMF (parameter names as in Egmf above) to the native format."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    tensors = {checkpoint_key(k): v.float() for k, v in model.named_parameters()}
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, metadata or {"format": "egmf"})


# ----------------------------------------------------------------------------- analysis
def analyze(model, inputs, meta, timings=None):
    """All stages of every utterance; returns {name: tensor} in reference_io.h's names."""
    m = model.m
    n = int(meta["utterances"])
    disabled = [c == "1" for c in meta["disabled_experts"]]
    answers = [inputs["answer%d" % k].tolist() for k in range(int(meta["answers"]))]
    max_new = int(meta["max_new_tokens"])
    eos = m["llm"]["eos_token_id"]
    out, encoded, pooled = {}, [], []
    device = model.text_proj.weight.device
    dtype = model.text_proj.weight.dtype
    inputs = {k: (v.to(device, dtype) if v.is_floating_point() else v.to(device)) for k, v in inputs.items()}

    def clock():
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter()

    def tick(i, stage, start):
        if timings is not None:
            timings[i][stage] = (clock() - start) * 1000.0

    for i in range(n):
        p = "u%d." % i
        s = clock()
        h_t = model.text_proj(model.llm.model.embed_tokens(inputs[p + "text_ids"]))
        h_a = model.av_encoder.audio(inputs[p + "audio"])
        h_v = model.av_encoder.visual(inputs[p + "visual"])
        tick(i, "encode", s)
        s = clock()
        fused, t2av, av2t = model.fusion(h_t, h_a, h_v)
        tick(i, "fusion", s)
        spans = (h_t.shape[0], h_a.shape[0], h_v.shape[0])
        encoded.append((fused, spans))
        pooled.append(model.context_pool(fused, spans))
        out.update({p + "H_t": h_t, p + "H_a": h_a, p + "H_v": h_v, p + "H_f": fused,
                    p + "text_to_av": t2av, p + "av_to_text": av2t})
    s = clock()
    contexts = model.dialogue_context(torch.stack(pooled))
    share = (clock() - s) * 1000.0 / n
    for i in range(n):
        p = "u%d." % i
        if timings is not None:
            timings[i]["context"] = share
        fused, spans = encoded[i]
        s = clock()
        h_enh, g_f, g_c, g, alpha, g_mod = model.enhancer(fused, spans, contexts[i], disabled)
        tick(i, "enhance", s)
        s = clock()
        pseudo = model.pseudo_tokens.proj(model.pseudo_tokens.pool(h_enh, spans)).view(m["pseudo_tokens"], -1)
        emb = model.llm.model.embed_tokens
        prompt = torch.cat([emb(inputs[p + "prefix"]), pseudo, emb(inputs[p + "suffix"])], 0)
        hidden, cache = model.llm(prompt, None)
        last = model.llm.logits(hidden[-1])
        tick(i, "prompt", s)
        s = clock()
        generated, logits, gen_cache = [], last, cache
        for step in range(max_new):
            token = int(logits.argmax())
            if token == eos:
                break
            generated.append(token)
            if step + 1 == max_new:
                break
            h, gen_cache = model.llm(emb(torch.tensor([token], device=device)), gen_cache)
            logits = model.llm.logits(h[-1])
        tick(i, "generate", s)
        s = clock()
        scores = []
        if meta.get("score_labels", "1") == "1":
            first = torch.log_softmax(last, -1)
            for tokens in answers:
                total = float(first[tokens[0]])
                if len(tokens) > 1:
                    h, _ = model.llm(emb(torch.tensor(tokens[:-1], device=device)), cache)
                    lp = torch.log_softmax(model.llm.logits(h), -1)
                    total += float(lp.gather(1, torch.tensor(tokens[1:], device=device).unsqueeze(1)).sum())
                scores.append(total)
        tick(i, "score", s)
        out.update({p + "context": contexts[i], p + "g_f": g_f, p + "g_c": g_c, p + "g": g,
                    p + "alpha": alpha, p + "H_enh": h_enh, p + "pseudo": pseudo,
                    p + "prompt_logits": last, p + "generated": torch.tensor(generated, dtype=torch.int64),
                    p + "label_logprobs": torch.tensor(scores, dtype=torch.float32)})
        if g_mod is not None:
            out[p + "g_modality"] = g_mod
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["run", "bench", "export"])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--inputs")
    parser.add_argument("--manifest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--outputs")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.mode == "export":
        torch.manual_seed(args.seed)
        with open(args.manifest) as f:
            manifest = json.load(f)
        save_checkpoint(Egmf(manifest), manifest, args.checkpoint, {"format": "egmf", "seed": args.seed})
        return
    model, _ = load_checkpoint(args.checkpoint)
    model = model.to(args.device, getattr(torch, args.dtype))
    inputs, meta = read_safetensors(args.inputs)
    with torch.inference_mode():
        if args.mode == "run":
            write_safetensors(args.outputs, analyze(model, inputs, meta))
            return
        n = int(meta["utterances"])
        samples = []
        for run in range(args.repeats + 1):  # run 0 warms up
            timings = [dict() for _ in range(n)]
            analyze(model, inputs, meta, timings)
            if run:
                samples.extend(timings)
    stages = ["encode", "fusion", "context", "enhance", "prompt", "generate", "score"]
    print(json.dumps({"total_ms": statistics.median(sum(t.values()) for t in samples),
                      "stages": {s: statistics.median(t[s] for t in samples) for s in stages},
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    sys.exit(main())
