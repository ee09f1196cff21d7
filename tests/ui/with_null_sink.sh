#!/usr/bin/env bash
# Runs the player tests with a sound device: a PulseAudio server with a null sink in a private
# runtime folder (TOOLCHAIN.md, trap 4), so the audio clock path is tested on machines without
# sound hardware. Usage: with_null_sink.sh <egmf_ui_tests binary>
set -euo pipefail
runtime="$(mktemp -d)"
export XDG_RUNTIME_DIR="$runtime" HOME="$runtime" PULSE_RUNTIME_PATH="$runtime/pulse"
pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit \
  --load="module-null-sink sink_name=nullsink" --load=module-native-protocol-unix >"$runtime/pulse.log" 2>&1 &
pulse=$!
trap 'kill $pulse 2>/dev/null; wait $pulse 2>/dev/null; rm -rf "$runtime"' EXIT
for _ in $(seq 50); do [ -S "$runtime/pulse/native" ] && break; sleep 0.1; done
[ -S "$runtime/pulse/native" ] || { echo "pulseaudio did not start:"; cat "$runtime/pulse.log"; exit 1; }
EGMF_EXPECT_AUDIO=1 "$1" --gtest_filter='Studio.gateGraphs*:Studio.player*'
