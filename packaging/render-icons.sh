#!/usr/bin/env bash
# Renders the committed PNG icons (resources/icons) from egmf-studio.svg. Needs librsvg2-bin, a
# developer tool and not a build dependency: the PNGs are committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../resources/icons"
for size in 48 128 256; do
  rsvg-convert -w "$size" -h "$size" egmf-studio.svg -o "egmf-studio-$size.png"
done
