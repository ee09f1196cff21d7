#!/usr/bin/env bash
# The Studio's playback benchmark: a 30 fps dialogue played headless for 20 s while the
# engine analyses the rest of the split in the background. Prints frames presented against the
# frames the played span holds, dropped and late frames, the longest stall of the UI thread (a
# 5 ms event-loop probe) and peak RSS; muted on the wall clock, then with a PulseAudio null sink
# on the audio clock. Usage: scripts/bench-studio.sh [seconds]   (after scripts/setup.sh dev)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/dev/bin"
seconds="${1:-20}"
export OMP_WAIT_POLICY=passive
work="${EGMF_BENCH_DIR:-$(mktemp -d)}"
[ -n "${EGMF_BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
demo="${XDG_DATA_HOME:-$HOME/.local/share}/egmf-studio/demo"
[ -f "$demo/test_sent_emo.csv" ] || "$bin/egmf" make-demo --out "$demo" --split test --seed 2026
# The longest test dialogue first (the one played), five more after it (analysed meanwhile),
# every clip re-encoded at 30 fps.
out="$work/bench30"
mkdir -p "$out/output_repeated_splits_test"
[ -f "$out/clips.txt" ] || python3 - "$demo" "$out" <<'PY'
import csv, sys, collections
demo, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{demo}/test_sent_emo.csv", newline="", encoding="utf-8")))
by = collections.OrderedDict()
for r in rows: by.setdefault(r["Dialogue_ID"], []).append(r)
order = sorted(by, key=lambda d: -len(by[d]))[:6]
with open(f"{out}/test_sent_emo.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for d in order: w.writerows(by[d])
with open(f"{out}/clips.txt", "w") as f:
    for d in order:
        for r in by[d]: f.write(f"dia{d}_utt{r['Utterance_ID']}.mp4\n")
PY
while read -r clip; do
  [ -f "$out/output_repeated_splits_test/$clip" ] || ffmpeg -nostdin -hide_banner -loglevel error -y -i "$demo/output_repeated_splits_test/$clip" -vf fps=30 -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p -c:a copy "$out/output_repeated_splits_test/$clip"
done < "$out/clips.txt"
run() {
  QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$work/config" "$bin/egmf-studio" --dataset "$out" \
    --checkpoint "$root/resources/checkpoints/demo-erc" --annotations "$work/annotations.sqlite" \
    --screenshot "$work/shot.png" --play-for "$seconds" 2>&1 | grep -E "played|error|failed" || true
}
echo "muted (no audio device, wall clock):"
(unset XDG_RUNTIME_DIR; export PULSE_SERVER=/nonexistent; run)
if command -v pulseaudio >/dev/null; then
  runtime="$work/runtime"; mkdir -p "$runtime"; chmod 700 "$runtime"
  export XDG_RUNTIME_DIR="$runtime"
  HOME="$runtime" pulseaudio -n --daemonize=no --exit-idle-time=-1 --load="module-null-sink sink_name=nullsink" \
    --load=module-native-protocol-unix >"$runtime/pulse.log" 2>&1 &
  pulse=$!
  for _ in $(seq 50); do [ -S "$runtime/pulse/native" ] && break; sleep 0.1; done
  echo "PulseAudio null sink (audio clock):"
  run
  kill $pulse; wait $pulse 2>/dev/null || true
fi
