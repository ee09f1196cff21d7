#!/usr/bin/env bash
# The .deb, checked as a lab would install it (issue 8):
#   1. cpack builds it from the build tree (stripped, install layout of cmake/EgmfLayout.cmake)
#   2. Depends names LibTorch's OpenBLAS and espeak-ng (dpkg-shlibdeps cannot see them) and the
#      shared libraries dpkg-shlibdeps found; apt accepts it (apt-get install --simulate)
#   3. the .desktop file and the AppStream metainfo validate
#   4. unpacked into a scratch root (dpkg -x), the installed files alone run: egmf --version,
#      egmf inspect-checkpoint on the bundled checkpoints, egmf plugins, and the Studio offscreen on
#      two generated clips, grabbed to a PNG.
#   tests/packaging/package_test.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
build="$(cd "$1" && pwd)"
out="${2:-$build/package-test}"
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }

rm -rf "$out" && mkdir -p "$out"
start=$(date +%s)
(cd "$build" && cpack -B "$out/cpack" >"$out/cpack.log" 2>&1) || { tail -30 "$out/cpack.log"; fail "cpack failed (log: $out/cpack.log)"; }
deb="$(ls "$out"/cpack/egmf-studio_*.deb)"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1), built in $(( $(date +%s) - start )) s"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for needed in libopenblas0-openmp espeak-ng ffmpeg opencv-data libtorch libqt6widgets6 libavcodec libopencv libsqlite3 libzip; do
  grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed"
done
[ "$(dpkg-deb -f "$deb" Package)" = egmf-studio ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Section)" = science ] || fail "section"

# apt resolves every dependency from the machine's sources (-o Debug... quiet; only the verdict matters).
(cd "$(dirname "$deb")" && apt-get install --simulate -q "./$(basename "$deb")") >"$out/apt.log" 2>&1 ||
  { tail -20 "$out/apt.log"; fail "apt-get install --simulate refused the package"; }
grep -q "^Inst egmf-studio" "$out/apt.log" || { tail -20 "$out/apt.log"; fail "apt would not install egmf-studio"; }

root="$out/root"
dpkg -x "$deb" "$root"
for path in usr/bin/egmf usr/bin/egmf-studio \
            usr/lib/egmf-studio/plugins/egmf_native_plugin.so usr/lib/egmf-studio/plugins/egmf_huggingface_plugin.so \
            usr/lib/egmf-studio/plugins/egmf_merits_plugin.so usr/lib/egmf-studio/plugins/egmf_random_plugin.so \
            usr/share/egmf-studio/checkpoints/demo-erc/manifest.json usr/share/egmf-studio/checkpoints/demo-merits-l/manifest.json \
            usr/share/egmf-studio/checkpoints/meld-text/manifest.json \
            usr/share/egmf-studio/models/face-api/face_expression_model-weights_manifest.json usr/share/egmf-studio/reference/egmf_reference.py \
            usr/share/applications/io.github.egmf_studio.Studio.desktop usr/share/metainfo/io.github.egmf_studio.Studio.metainfo.xml \
            usr/share/icons/hicolor/scalable/apps/io.github.egmf_studio.Studio.svg usr/share/icons/hicolor/256x256/apps/io.github.egmf_studio.Studio.png; do
  [ -e "$root/$path" ] || fail "the package lacks /$path"
done
file "$root/usr/bin/egmf" | grep -q "stripped" && ! file "$root/usr/bin/egmf" | grep -q "not stripped" || fail "/usr/bin/egmf is not stripped"
desktop-file-validate "$root/usr/share/applications/io.github.egmf_studio.Studio.desktop" || fail ".desktop file"
appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.egmf_studio.Studio.metainfo.xml" >"$out/appstream.log" 2>&1 ||
  { cat "$out/appstream.log"; fail "AppStream metainfo"; }

# From here on nothing of the build tree may be used: a scratch HOME, and the build folder moved
# out of reach is not possible, so check what the programs load instead (no path under $build).
export HOME="$out/home" XDG_CONFIG_HOME="$out/home/.config" XDG_CACHE_HOME="$out/home/.cache" XDG_DATA_HOME="$out/home/.local/share"
mkdir -p "$HOME"
bin="$root/usr/bin"
version="$("$bin/egmf" --version)"
echo "installed: $version"
grep -q "^egmf [0-9]" <<<"$version" || fail "egmf --version printed '$version'"
for checkpoint in demo-erc demo-msa demo-merits-l meld-text; do
  "$bin/egmf" inspect-checkpoint "$root/usr/share/egmf-studio/checkpoints/$checkpoint" >"$out/inspect-$checkpoint.txt" 2>&1 ||
    { cat "$out/inspect-$checkpoint.txt"; fail "egmf inspect-checkpoint $checkpoint"; }
done
grep -qi "egmf" "$out/inspect-demo-erc.txt" || fail "inspect-checkpoint printed nothing useful"
"$bin/egmf" plugins --probe --json >"$out/plugins.json" 2>"$out/plugins.err" || { cat "$out/plugins.err"; fail "egmf plugins"; }
python3 - "$out/plugins.json" "$root" <<'PY' || fail "the installed plugins"
import json, sys
plugins = json.load(open(sys.argv[1]))
files = {p["file"]: p["state"] for p in plugins}
ok = [f for f, s in files.items() if f.startswith(sys.argv[2]) and s == "loaded"]
print("plugins:", ", ".join(f"{f.rsplit('/', 1)[-1]}={s}" for f, s in files.items()))
sys.exit(0 if len(ok) == 4 else 1)
PY

# Two clips and a transcript, made here: the Studio analyses them as a dialogue and plays.
clips="$out/clips"
mkdir -p "$clips"
for i in 1 2; do
  espeak-ng -w "$clips/voice$i.wav" "This is utterance number $i of the packaging test."
  ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=320x240:rate=25" -i "$clips/voice$i.wav" \
    -shortest -c:v libx264 -pix_fmt yuv420p -c:a aac "$clips/utt$i.mp4"
done
cat >"$clips/transcript.srt" <<'SRT'
1
00:00:00,000 --> 00:00:02,000
This is utterance number one of the packaging test.

2
00:00:02,000 --> 00:00:04,000
This is utterance number two of the packaging test.
SRT
QT_QPA_PLATFORM=offscreen "$bin/egmf-studio" --annotations "$out/annotations.sqlite" --screenshot "$out/studio.png" --play-for 1 \
  "$clips/utt1.mp4" "$clips/utt2.mp4" "$clips/transcript.srt" >"$out/studio.log" 2>&1 || { tail -20 "$out/studio.log"; fail "the installed Studio"; }
[ "$(stat -c %s "$out/studio.png")" -gt 20000 ] || fail "the screenshot is too small to show the Studio"

# The programs ran from the scratch root: their maps name no file of the build tree.
if grep -rq "$build/bin\|$build/lib" "$out/studio.log" "$out/plugins.json"; then fail "the installed programs used the build tree"; fi
echo "package_test: passed in $(( $(date +%s) - start )) s (screenshot: $out/studio.png)"
