#!/usr/bin/python3
"""Tiny Hugging Face LLM folders + PEFT adapters + their logits, the golden source of
tests/golden/huggingface_golden_test.cpp.

  hf_llm_reference.py make --backend reference|transformers --arch llama|qwen2|chatglm --out DIR

writes DIR/base (config.json, sharded model-*.safetensors + model.safetensors.index.json),
DIR/adapter (adapter_config.json + adapter_model.safetensors, PEFT's names) and DIR/io.safetensors
(input_ids, logits_base: the base alone, logits_adapter: with the adapter), all float32.

Backends: `transformers` builds the model with transformers (attn_implementation='eager', CPU,
float32) and the adapter with peft (init_lora_weights=False, so B is not zero); run it where
transformers and peft are installed (the device machine) and commit the folders under
tests/golden/hf_fixtures/<arch>. `reference` builds the same files with tools/reference's Llama (its
PyTorch code written after modeling_llama), which Debian's python3-torch runs: the test makes those
at test time, so the layout (shards, index, PEFT names, Qwen2 biases, tied embeddings) is checked
on every machine.

  hf_llm_reference.py check-peft --base DIR --adapter DIR --io IO.safetensors

(transformers + peft) loads an adapter `egmf export --peft` wrote with peft.PeftModel and prints the
largest difference from IO's logits_adapter.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "reference"))
import chatglm_reference as glm  # noqa: E402
import egmf_reference as ref  # noqa: E402

CONFIGS = {
    "llama": {"model_type": "llama", "vocab_size": 96, "hidden_size": 32, "intermediate_size": 64,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False,
              "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                               "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
              "max_position_embeddings": 128, "bos_token_id": 1, "eos_token_id": 2,
              "attention_bias": False, "hidden_act": "silu", "torch_dtype": "float32"},
    "qwen2": {"model_type": "qwen2", "vocab_size": 96, "hidden_size": 32, "intermediate_size": 64,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": True,
              "max_position_embeddings": 128, "bos_token_id": 1, "eos_token_id": 2,
              "hidden_act": "silu", "torch_dtype": "float32", "use_sliding_window": False},
}
# ChatGLM3's own names (modeling_chatglm.py's ChatGLMConfig): 2 multi-query groups for 4 heads,
# rope_ratio 2 (base 20000), a bias on query_key_value only.
CONFIGS["chatglm"] = {
    "model_type": "chatglm", "architectures": ["ChatGLMModel"], "padded_vocab_size": 112, "hidden_size": 64,
    "ffn_hidden_size": 96, "num_layers": 2, "num_attention_heads": 4, "kv_channels": 16, "multi_query_attention": True,
    "multi_query_group_num": 2, "layernorm_epsilon": 1e-5, "rope_ratio": 2.0, "add_qkv_bias": True,
    "add_bias_linear": False, "rmsnorm": True, "apply_residual_connection_post_layernorm": False, "post_layer_norm": True,
    "original_rope": True, "seq_length": 128, "eos_token_id": 2, "pad_token_id": 0, "torch_dtype": "float32"}
LORA = {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]}
GLM_LORA = dict(LORA, target_modules=["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"])
TOKENS = 12


def write_shards(folder, tensors, shards=2):
    """Splits `tensors` over `shards` files with the index transformers writes."""
    names = sorted(tensors)
    per = (len(names) + shards - 1) // shards
    weight_map, total = {}, 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n].contiguous() for n in names[s * per:(s + 1) * per]}
        ref.write_safetensors(os.path.join(folder, file), part, {"format": "pt"})
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def make_reference(arch, out):
    c = dict(CONFIGS[arch])
    if arch == "qwen2":
        c["attention_bias"] = True  # what Qwen2 always has (its config.json leaves the key out)
    lora = GLM_LORA if arch == "chatglm" else LORA
    model = glm.ChatGLMForConditionalGeneration(c, lora) if arch == "chatglm" else ref.LlamaForCausalLM(c, lora)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    state = {k: v for k, v in model.state_dict().items()}
    base = {k: v for k, v in state.items() if ".lora_" not in k}
    adapter = {"base_model.model." + k: v for k, v in state.items() if ".lora_" in k}
    config = dict(CONFIGS[arch])
    if arch != "chatglm":
        config["architectures"] = ["Qwen2ForCausalLM" if arch == "qwen2" else "LlamaForCausalLM"]
    os.makedirs(os.path.join(out, "base"), exist_ok=True)
    os.makedirs(os.path.join(out, "adapter"), exist_ok=True)
    with open(os.path.join(out, "base", "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_shards(os.path.join(out, "base"), base)
    ref.write_safetensors(os.path.join(out, "adapter", "adapter_model.safetensors"), adapter, {"format": "pt"})
    adapter_config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": LORA["r"], "lora_alpha": LORA["lora_alpha"],
                      "lora_dropout": 0.0, "target_modules": lora["target_modules"], "bias": "none", "use_dora": False,
                      "use_rslora": False, "rank_pattern": {}, "alpha_pattern": {}, "layers_to_transform": None,
                      "modules_to_save": None, "fan_in_fan_out": False, "base_model_name_or_path": "../base"}
    with open(os.path.join(out, "adapter", "adapter_config.json"), "w") as f:
        json.dump(adapter_config, f, indent=2)
    if arch == "chatglm":
        ids = torch.randint(0, c["padded_vocab_size"], (TOKENS,))
        with torch.no_grad():
            logits_adapter = model.logits(ids)
            for m in model.modules():
                if isinstance(m, ref.LoraLinear):
                    m.scale = 0.0
            logits_base = model.logits(ids)
        return ids, logits_base, logits_adapter
    ids = torch.randint(0, c["vocab_size"], (TOKENS,))
    with torch.no_grad():
        x = model.model.embed_tokens(ids)
        logits_adapter = model.logits(model(x, None)[0])
        for m in model.modules():
            if isinstance(m, ref.LoraLinear):
                m.scale = 0.0
        logits_base = model.logits(model(x, None)[0])
    return ids, logits_base, logits_adapter


def make_transformers(arch, out):
    if arch == "chatglm":
        sys.exit("ChatGLM3's transformers classes come with its checkpoints (trust_remote_code); no fixture is made here")
    import transformers
    from peft import LoraConfig, get_peft_model
    fields = {k: v for k, v in CONFIGS[arch].items() if k not in ("model_type", "torch_dtype")}
    config_class = transformers.Qwen2Config if arch == "qwen2" else transformers.LlamaConfig
    config = config_class(**fields)
    model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation="eager", torch_dtype=torch.float32)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(os.path.join(out, "base"), safe_serialization=True, max_shard_size="40KB")
    peft_model = get_peft_model(model, LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], lora_dropout=0.0,
                                                  target_modules=LORA["target_modules"], init_lora_weights=False,
                                                  task_type="CAUSAL_LM"))
    peft_model.eval()
    peft_model.save_pretrained(os.path.join(out, "adapter"))
    ids = torch.randint(0, CONFIGS[arch]["vocab_size"], (TOKENS,))
    with torch.no_grad():
        logits_adapter = peft_model(ids[None]).logits[0].float()
        with peft_model.disable_adapter():
            logits_base = peft_model(ids[None]).logits[0].float()
    return ids, logits_base, logits_adapter


def check_peft(base, adapter, io):
    import transformers
    from peft import PeftModel
    tensors, _ = ref.read_safetensors(io)
    model = transformers.AutoModelForCausalLM.from_pretrained(base, attn_implementation="eager", torch_dtype=torch.float32)
    model = PeftModel.from_pretrained(model, adapter).eval()
    with torch.no_grad():
        logits = model(tensors["input_ids"][None]).logits[0].float()
    print(json.dumps({"max_abs_diff": (logits - tensors["logits_adapter"]).abs().max().item()}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    make = sub.add_parser("make")
    make.add_argument("--backend", choices=["reference", "transformers"], required=True)
    make.add_argument("--arch", choices=sorted(CONFIGS), required=True)
    make.add_argument("--out", required=True)
    make.add_argument("--seed", type=int, default=7)
    check = sub.add_parser("check-peft")
    check.add_argument("--base", required=True)
    check.add_argument("--adapter", required=True)
    check.add_argument("--io", required=True)
    a = parser.parse_args()
    if a.mode == "check-peft":
        check_peft(a.base, a.adapter, a.io)
        return
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    ids, base, adapter = (make_reference if a.backend == "reference" else make_transformers)(a.arch, a.out)
    ref.write_safetensors(os.path.join(a.out, "io.safetensors"),
                          {"input_ids": ids.long(), "logits_base": base.contiguous(), "logits_adapter": adapter.contiguous()},
                          {"backend": a.backend})


if __name__ == "__main__":
    main()
