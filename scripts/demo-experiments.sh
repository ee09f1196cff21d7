#!/usr/bin/env bash
# The demo corpus figures of the README ("The paper's own model"): the paper's Table IV retrained
# (every row, 3 seeds), its w/o LoRA row over a LoRA-trained full model (the bundled demo's LLM as a
# Hugging Face base), and two other readings of the enhancer (3 seeds each), on the test split.
#   scripts/demo-experiments.sh [OUT] [EGMF]      (default OUT: ~/egmf-experiments; about 2 h on 2 cores)
# Run it again after a stop: every training resumes or is skipped when done (egmf ablation --retrain).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$HOME/egmf-experiments}"
egmf="${2:-$root/build/dev/bin/egmf}"
mkdir -p "$out"
[[ -f "$out/demo/demo.json" ]] || "$egmf" make-demo --out "$out/demo"
# The bundled demo checkpoint's training (README, "The demo corpus").
echo '{"epochs": 40, "patience": 8}' > "$out/train.json"
common=(--dataset "$out/demo" --split test --seeds 1,2,3 --threads 2 --features-cache "$out/features")
"$egmf" ablation --retrain "${common[@]}" --config "$out/train.json" --out "$out/table-iv" --json "$out/table-iv.json" \
    | tee "$out/table-iv.txt"
# Two other readings of the enhancer (docs/checkpoint.md, "enhancer"), the full model only.
cat > "$out/variant-attention.json" <<'JSON'
{"epochs": 40, "patience": 8,
 "model": {"enhancer": {"local": "window_attention", "global": "dialogue_gru"}}}
JSON
cat > "$out/variant-gated.json" <<'JSON'
{"epochs": 40, "patience": 8,
 "model": {"enhancer": {"gates": "sequential", "modality_gate": true}, "context": {"module": "attention"},
           "pooling": {"context": "modality_mean", "pseudo_tokens": "modality_mean"}}}
JSON
for variant in attention gated; do
    "$egmf" ablation --retrain "${common[@]}" --rows full --config "$out/variant-$variant.json" --out "$out/variant-$variant" \
        --json "$out/variant-$variant.json.table" | tee "$out/variant-$variant.txt"
done
# w/o LoRA: the full model with a LoRA adapter on a pretrained base, against the same base frozen.
[[ -f "$out/demo-hf/base/config.json" ]] ||
    "$egmf" export --checkpoint "$root/resources/checkpoints/demo-erc" --huggingface "$out/demo-hf"
"$egmf" ablation --retrain "${common[@]}" --rows full,without-lora --base-model "$out/demo-hf/base" --config "$out/train.json" \
    --out "$out/lora" --json "$out/lora.json" | tee "$out/lora.txt"
