#!/usr/bin/env bash
# Builds tests/golden/llama_cpp_logits.cpp against llama.cpp as the pinned npm packages ship it:
# the prebuilt CPU libraries of @node-llama-cpp/linux-x64 and the headers of the llama.cpp release
# node-llama-cpp bundles (a git bundle; no network beyond npm). Prints the program, then the
# folder of llama.cpp's libraries. Cached beside the npm packages (npm_fetch.sh), keyed by the
# program's source. Exit 77 when npm or the registry is unavailable, so the test skips and says so.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=3.21.1
dir=$("$here/npm_fetch.sh" llama-cpp --omit=optional "node-llama-cpp@$version" "@node-llama-cpp/linux-x64@$version") || exit $?
set -e
bins="$dir/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
program="$dir/llama_cpp_logits-$(sha256sum "$here/llama_cpp_logits.cpp" | cut -c1-16)"
if [[ ! -x "$program" ]]; then
    headers="$dir/headers"
    if [[ ! -f "$headers/include/llama.h" ]]; then
        rm -rf "$dir/llama.git" "$headers"
        git init -q --bare "$dir/llama.git"
        commit=$(git -C "$dir/llama.git" bundle unbundle "$dir/node_modules/node-llama-cpp/llama/gitRelease.bundle" | awk 'NR == 1 { print $1 }')
        mkdir -p "$headers"
        git -C "$dir/llama.git" archive "$commit" include ggml/include | tar -x -C "$headers"
        rm -rf "$dir/llama.git"
    fi
    g++ -std=c++17 -O1 -o "$program.partial" "$here/llama_cpp_logits.cpp" -I"$headers/include" -I"$headers/ggml/include" \
        "$bins/libllama.v0.4.0.so" "$bins/libggml.v0.4.0.so" "$bins/libggml-base.so" -Wl,-rpath,"$bins" >&2
    mv "$program.partial" "$program"
fi
echo "$program"
echo "$bins"
