#!/usr/bin/env bash
# Builds the examples and the wandb-imagemask tool, runs the main example (a toy training loop that
# logs loss, accuracy and masked validation images into an offline W&B run below OUT_DIR, default
# ./out), checks the run with `wandb-imagemask verify`, and prints the run directory as its last
# line. Installs missing Debian packages first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$root/out}")"
"$root/cmake/install-debian-packages.sh"
cmake -S "$root" -B "$root/build/examples" -DCMAKE_BUILD_TYPE=Release \
  -DWANDB_IMAGEMASK_BUILD_TESTS=OFF -DWANDB_IMAGEMASK_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build/examples" -j "$(nproc)" --target train_offline log_masked_image wandb-imagemask
mkdir -p "$out"
run_dir="$("$root/build/examples/examples/train_offline" "$out")"
"$root/build/examples/tools/wandb-imagemask" verify "$run_dir" >&2
echo "$run_dir"
