#!/usr/bin/env bash
# README command 1: set up and open EGMF Studio on the bundled demo with the bundled ERC
# checkpoint. The demo's test split is rendered into the user's data folder the first time
# (egmf make-demo, about a minute). Extra arguments go to egmf-studio.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" dev
export OMP_WAIT_POLICY=passive  # before the process starts (ARCHITECTURE.md, Threads)
bin="$root/build/dev/bin"
data="${XDG_DATA_HOME:-$HOME/.local/share}/egmf-studio/demo"
if [ ! -f "$data/test_sent_emo.csv" ]; then
  # The seed the bundled checkpoints' corpus was made with (their manifests record it).
  "$bin/egmf" make-demo --out "$data" --split test --seed 2026
fi
studio=("$bin/egmf-studio" --dataset "$data" --checkpoint "$root/resources/checkpoints/demo-erc" "$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  cat >&2 <<MSG
No display here. Open the Studio under a virtual X server:
  xvfb-run -a $0
or take a scripted screenshot without any window system:
  QT_QPA_PLATFORM=offscreen $0 --screenshot studio.png --play-for 3
MSG
  exit 2
fi
exec "${studio[@]}"
