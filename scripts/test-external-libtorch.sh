#!/usr/bin/env bash
# Tries scripts/build-external-libtorch.sh on this machine without a CUDA LibTorch: Debian's
# LibTorch is copied to a prefix of its own (headers, libraries, CMake files), the tree is built
# against that copy and installed, and the script's check must find every program and plugin
# loading LibTorch from the copy. Not part of the test suite (a whole second build); README,
# "A CUDA build you make yourself", has its figures.
#   scripts/test-external-libtorch.sh [work folder]   (default: a new one under /tmp)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/egmf-external-libtorch-XXXXXX)}"
arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
copy="$work/libtorch"
mkdir -p "$copy/include" "$copy/lib/$arch/cmake"
cp -a /usr/include/ATen /usr/include/c10 /usr/include/caffe2 /usr/include/torch "$copy/include/"
cp -a "/usr/lib/$arch/cmake/Torch" "/usr/lib/$arch/cmake/Caffe2" "$copy/lib/$arch/cmake/"
for lib in libtorch libtorch_cpu libc10 libshm libtorch_global_deps libcaffe2_detectron_ops libcaffe2_observers \
           libcaffe2_module_test_dynamic; do
  cp -a "/usr/lib/$arch/$lib".so* "$copy/lib/$arch/" 2>/dev/null || true
done
"$root/scripts/build-external-libtorch.sh" "$copy" "$work/prefix"
