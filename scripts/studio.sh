#!/usr/bin/env bash
# README command 1: set up and open EGMF Studio on the bundled demo.
# The Studio and its demo corpus arrive with later issues; until they exist this runs the model
# benchmark (`egmf bench model`), which builds the demo-size EGMF and runs it end to end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" dev
export OMP_WAIT_POLICY=passive  # before the process starts (ARCHITECTURE.md, Threads)
exec "$root/build/dev/bin/egmf" bench model "$@"
