#!/usr/bin/python3
"""The MERITS-L reference in Python PyTorch (docs/merits-l.md), with PyTorch's own modules
(nn.Embedding, nn.TransformerEncoderLayer, nn.GRU, nn.MultiheadAttention) and egmf_reference's
audio branch. It is the golden source of the engine's MERITS-L tests.

  run --checkpoint DIR --inputs IN.safetensors --outputs OUT.safetensors

IN holds, per utterance i of one dialogue, "u<i>.text_ids" (int64 [T]) and "u<i>.audio"
([frames, features]); OUT every stage for the whole dialogue (names as below).
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import egmf_reference as ref  # noqa: E402


class ConversationEncoder(nn.Module):
    """Stage II: Bi-GRU over the utterance vectors, then single-head self-attention, residual."""

    def __init__(self, d, hidden, bidirectional):
        super().__init__()
        self.gru = nn.GRU(d, hidden, bidirectional=bidirectional, batch_first=True)
        self.attention = nn.MultiheadAttention(hidden * (2 if bidirectional else 1), 1, batch_first=True)

    def forward(self, x):
        states = self.gru(x.unsqueeze(0))[0].squeeze(0)
        return states + ref.attend(self.attention, states, states, 1)[0]


class CoAttention(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.text_to_audio = nn.MultiheadAttention(c, heads, batch_first=True)
        self.audio_to_text = nn.MultiheadAttention(c, heads, batch_first=True)


class Merits(nn.Module):
    def __init__(self, m):
        super().__init__()
        d, llm, ctx = m["fusion"]["dim"], m["llm"], m["context"]
        heads, ff = m["audio"]["heads"], m["audio"]["feed_forward"]
        c = ctx["hidden"] * (2 if ctx["bidirectional"] else 1)
        classes = len(m["labels"])
        self.d = d
        self.text_embed = nn.Embedding(llm["vocab_size"], llm["hidden_size"])
        self.text_proj = nn.Linear(llm["hidden_size"], d)
        self.text_encoder = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation=F.gelu,
                                                       batch_first=True, norm_first=True)
        self.audio_encoder = ref.AudioBranch(m["audio"]["feature_dim"], d, heads, ff)
        self.text_head = nn.Linear(d, classes)
        self.audio_head = nn.Linear(d, classes)
        self.text_context = ConversationEncoder(d, ctx["hidden"], ctx["bidirectional"])
        self.text_context_head = nn.Linear(c, classes)
        self.audio_context = ConversationEncoder(d, ctx["hidden"], ctx["bidirectional"])
        self.audio_context_head = nn.Linear(c, classes)
        self.coattention = CoAttention(c, m["fusion"]["heads"])
        self.fusion_head = nn.Linear(2 * c, classes)
        self.heads = m["fusion"]["heads"]

    def encode_text(self, ids):
        if ids.numel() == 0:
            return torch.zeros(self.d)
        x = self.text_proj(self.text_embed(ids))
        x = x + ref.sinusoidal_positions(x.shape[0], self.d)
        return self.text_encoder(x.unsqueeze(0)).squeeze(0).mean(0)

    def encode_audio(self, mel):
        if mel.shape[0] == 0:
            return torch.zeros(self.d)
        return self.audio_encoder(mel).mean(0)

    def forward(self, texts, audios):
        out = {}
        t = torch.stack([self.encode_text(ids) for ids in texts])
        a = torch.stack([self.encode_audio(mel) for mel in audios])
        out["text_utterance"], out["audio_utterance"] = t, a
        out["text_logits"], out["audio_logits"] = self.text_head(t), self.audio_head(a)
        ct, ca = self.text_context(t), self.audio_context(a)
        out["text_context"], out["audio_context"] = ct, ca
        out["text_context_logits"], out["audio_context_logits"] = self.text_context_head(ct), self.audio_context_head(ca)
        zt, wt = ref.attend(self.coattention.text_to_audio, ct, ca, self.heads)
        za, wa = ref.attend(self.coattention.audio_to_text, ca, ct, self.heads)
        out["text_to_audio"], out["audio_to_text"] = wt, wa
        out["fused_logits"] = self.fusion_head(torch.cat([ct + zt, ca + za], -1))
        return out


def load(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    model = Merits(manifest)
    weights, _ = ref.read_safetensors(os.path.join(folder, "model.safetensors"))
    model.load_state_dict(weights, strict=True)
    return model.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["run"])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--outputs", required=True)
    a = parser.parse_args()
    torch.set_num_threads(1)
    model = load(a.checkpoint)
    inputs, _ = ref.read_safetensors(a.inputs)
    count = len([k for k in inputs if k.endswith(".text_ids")])
    texts = [inputs[f"u{i}.text_ids"] for i in range(count)]
    audios = [inputs[f"u{i}.audio"] for i in range(count)]
    with torch.no_grad():
        out = model(texts, audios)
    ref.write_safetensors(a.outputs, {k: v.contiguous().float() for k, v in out.items()})


if __name__ == "__main__":
    main()
