#!/usr/bin/env bash
# Prepares the model-only build for the GPU machine (the `device` tool), which has a CUDA PyTorch
# with its LibTorch, cmake and ninja, but no Debian -dev packages and no registry. The header-only
# and source dependencies are copied from this machine into build/device-deps, which the device
# call carries with the tree (64 MiB limit; this is ~6 MB):
#   scripts/stage-device-deps.sh
#   device: cmake --preset model-only -DEGMF_DEPS_DIR=$PWD/build/device-deps \
#             -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/build/device-deps"
rm -rf "$deps"
mkdir -p "$deps/include"
cp -r /usr/include/nlohmann /usr/include/CLI "$deps/include/"
cp -r /usr/src/googletest "$deps/googletest"
du -sh "$deps"
