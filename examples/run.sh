#!/usr/bin/env bash
# Builds the examples and runs the main one: an image with predicted and ground-truth masks,
# logged into OUT_DIR/files (default ./out). Installs missing Debian packages first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$root/out}")"
"$root/cmake/install-debian-packages.sh"
cmake -S "$root" -B "$root/build/examples" -DCMAKE_BUILD_TYPE=Release \
  -DWANDB_IMAGEMASK_BUILD_TESTS=OFF -DWANDB_IMAGEMASK_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build/examples" -j "$(nproc)" --target log_masked_image
mkdir -p "$out/files"
"$root/build/examples/examples/log_masked_image" "$out/files"
echo "media written below $out/files"
