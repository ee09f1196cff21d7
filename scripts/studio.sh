#!/usr/bin/env bash
# README command 1: set up and open EGMF Studio on the bundled demo.
# The Studio window arrives with issue 6. Until then this analyses the demo corpus's test split
# with the bundled ERC checkpoint and prints the metrics: the split is rendered into the user's
# data folder the first time (egmf make-demo, about a minute), the results are kept beside it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" dev
export OMP_WAIT_POLICY=passive  # before the process starts (ARCHITECTURE.md, Threads)
egmf="$root/build/dev/bin/egmf"
data="${XDG_DATA_HOME:-$HOME/.local/share}/egmf-studio/demo"
if [ ! -f "$data/test_sent_emo.csv" ]; then
  # The seed the bundled checkpoint's corpus was made with (its manifest records it).
  "$egmf" make-demo --out "$data" --split test --seed 2026
fi
exec "$egmf" eval --checkpoint "$root/resources/checkpoints/demo-erc" --dataset "$data" --split test \
  --out "$data/results-test.jsonl" "$@"
