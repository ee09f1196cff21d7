#!/usr/bin/env bash
# Builds EGMF Studio against a LibTorch outside the system (e.g. the CUDA one inside a PyTorch
# wheel) and installs it into a prefix whose programs and plugins find that LibTorch by their
# RPATH (README, "A CUDA build you make yourself").
#   scripts/build-external-libtorch.sh LIBTORCH INSTALL_PREFIX [target...]
# LIBTORCH: the LibTorch's prefix (the folder that holds share/cmake/Torch or
# lib/<arch>/cmake/Torch), or its CMake folder as PyTorch prints it:
#   python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'
# Targets: default every one (the server and CLI `egmf`, `egmf-studio`, the plugins, the tests),
# then installed; with targets named, they are built and checked in the build tree only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { sed -n '2,10p' "$0"; exit 2; }
libtorch="$(cd "$1" && pwd)"
prefix="$2"
shift 2
config="$(find "$libtorch" -maxdepth 5 -name TorchConfig.cmake -print -quit)"
[ -n "$config" ] || { echo "error: $libtorch: no TorchConfig.cmake under it; give the LibTorch's prefix"; exit 2; }

export EGMF_LIBTORCH="$libtorch"
# setup.sh installs the Debian packages the rest of the build needs, configures and builds.
"$root/scripts/setup.sh" external-libtorch "$@"
where="$prefix"
if [ $# -eq 0 ]; then
  cmake --install "$root/build/external-libtorch" --prefix "$prefix" >/dev/null
else
  where="$root/build/external-libtorch"  # some targets only: checked where they were built, not installed
fi

# Every program and plugin must load this LibTorch, not another one the system has.
status=0
for binary in "$where"/bin/* "$where"/lib/egmf-studio/plugins/*.so; do
  [ -f "$binary" ] || continue
  torch="$(ldd "$binary" | awk '/libtorch\.so|libc10\.so/ {print $3}')"
  [ -n "$torch" ] || continue
  for lib in $torch; do
    case "$(readlink -f "$lib")" in
      "$(readlink -f "$libtorch")"/*) ;;
      *) echo "error: $binary loads $lib, not the LibTorch in $libtorch"; status=1 ;;
    esac
  done
done
[ $status -eq 0 ] && echo "build-external-libtorch: $where: its programs and plugins load LibTorch from $libtorch"
exit $status
