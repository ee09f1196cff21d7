#!/usr/bin/env bash
# The checks that need a GPU, in one run on the GPU machine (the `device` tool), after
# scripts/stage-device-deps.sh here (it carries build/device-deps):
#   device: scripts/gpu-checks.sh [OUT]      (a model-only build against the machine's PyTorch)
# Prints, and writes to OUT (default $OUT or /tmp/gpu-checks), each figure the README quotes:
# the model on CUDA per utterance, greedy decoding of a 7B and the ChatGLM3-6B shape, a LoRA step of a 7B shape in
# bfloat16 against float32, and `egmf train --device cuda` on a tiny text-only dataset.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-${OUT:-/tmp/gpu-checks}}"
mkdir -p "$out"
cd "$root"
prefix="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')"
{ cmake --preset model-only -DEGMF_DEPS_DIR="$root/build/device-deps" -DCMAKE_PREFIX_PATH="$prefix" &&
  cmake --build --preset model-only --target egmf -- -j"$(nproc)"; } > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
egmf="$root/build/model-only/bin/egmf"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"
run() { echo "== $*"; "$@" 2>&1 | tee -a "$out/figures.txt"; }
run "$egmf" bench model --device cuda --dtype bfloat16
run "$egmf" bench llm --shape 7b --device cuda --dtype bfloat16
run "$egmf" bench llm --shape glm3-6b --device cuda --dtype bfloat16
run "$egmf" bench lora --shape 7b --device cuda --tokens 512
data="$out/text-data"
mkdir -p "$data"
python3 - "$data" <<'PY'
import sys, os
lines = [("We won the tickets!", "joy"), ("I miss her every day.", "sadness"), ("You lied to me again!", "anger"),
         ("The train gets in at six.", "neutral"), ("Ugh, hair in my soup.", "disgust"), ("Since when do you sing?", "surprise"),
         ("Someone is following us.", "fear")]
for split, count in (("train", 16), ("dev", 3), ("test", 3)):
    with open(os.path.join(sys.argv[1], split + "_sent_emo.csv"), "w", newline="") as f:
        f.write("Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n")
        n = 1
        for d in range(count):
            for u in range(5):
                text, label = lines[(d * 5 + u * 3) % 7]
                f.write(f'{n},"{text}",{"Maya" if u % 2 else "Theo"},{label},neutral,{d},{u},1,1,"00:00:01,000","00:00:02,000"\r\n')
                n += 1
PY
echo '{"dialogues_per_step": 4, "vocab_size": 300}' > "$out/train.json"
run "$egmf" train --dataset "$data" --out "$out/cuda-train" --config "$out/train.json" --epochs 2 --device cuda
