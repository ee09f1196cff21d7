#!/usr/bin/env bash
# Sets up everything EGMF Studio needs on Debian 12 and builds it: installs the Debian packages
# that are missing (TOOLCHAIN.md), configures with Ninja + ccache, builds. Safe to run again:
# installed packages and an up-to-date build cost nothing.
#   scripts/setup.sh [--tests] [preset [target...]]   (default preset: dev; default: every target)
# --tests adds what only the test suite needs: a Slurm and munge it starts on localhost (the
# Studio's users get no scheduler daemons).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
with_tests=0
if [ "${1:-}" = "--tests" ]; then with_tests=1; shift; fi
preset="${1:-dev}"
targets=()
for target in "${@:2}"; do targets+=(--target "$target"); done

packages=(
  # build
  g++ cmake ninja-build pkg-config ccache clang libclang-rt-14-dev dpkg-dev file clang-format-14
  # GUI (the Studio)
  qt6-base-dev qt6-multimedia-dev qt6-tools-dev qt6-l10n-tools libqcustomplot-dev libqcustomplot2.1-qt6
  # engine
  libtorch-dev libgloo-dev libopenblas0-openmp libopencv-dev opencv-data
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  # kept libraries
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libpcre2-dev libicu-dev
  libsqlite3-dev libzip-dev libaubio-dev
  # the remote engine (egmf serve): gRPC, protobuf, OpenSSL
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev libssl-dev openssl
  # server tokens in the system keyring (the Studio), and a keyring for its test
  qtkeychain-qt6-dev gnome-keyring dbus-daemon
  # tests and references
  libgtest-dev libgmock-dev libbenchmark-dev ffmpeg espeak-ng xvfb pulseaudio
  # the package test: validators of the .desktop file and the AppStream metainfo
  desktop-file-utils appstream
  python3-torch python3-torchaudio python3-sklearn python3-sentencepiece python3-imageio python3-numpy sentencepiece
)

# Only for the tests: a real scheduler (tests/cluster/slurm_test.cpp starts and stops its daemons),
# and git, which unpacks the llama.cpp headers the npm package bundles (tests/golden/llama_cpp_reference.sh).
test_packages=(slurmctld slurmd slurm-client munge git)
if ((with_tests)); then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js comes from Debian only where no other node is installed (apt's npm conflicts with it).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cd "$root"
# ccache: a cache that survives fresh clones (CCACHE_BASEDIR/NOHASHDIR are set by cmake/EgmfCcache.cmake).
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Always configure: a few seconds, and a changed preset or a new clone never builds stale settings.
cmake --preset "$preset" >/dev/null
# LibTorch TUs need ~1.2 GB each: two jobs on two cores.
cmake --build --preset "$preset" "${targets[@]}" -- -j "$(nproc)"
