#!/usr/bin/env bash
# The browser stage: the report of `wandb-imagemask view` opened in headless Chromium (Debian's
# chromium, chromium-driver, python3-selenium; installed here if missing) and checked by the
# pixels of its screenshots (test_report.py). Builds only the tool and the program that logs the
# test runs, in BUILD_DIR (default build/browser; an already configured build dir such as
# build/gcc is reused as it is). Screenshots go to BUILD_DIR/browser/screenshots.
#   tests/browser/run.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(realpath -m "${1:-$root/build/browser}")"
start=$SECONDS

packages=(chromium chromium-driver python3-selenium python3-pil)
missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "Installing missing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_BUILD_BENCH=OFF -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target wandb-imagemask report_fixture
echo "built in $((SECONDS - start)) s"
# Debian's python3, which has the Debian packages above (not another python3 on PATH).
/usr/bin/python3 "$root/tests/browser/test_report.py" --tool "$build/tools/wandb-imagemask" \
  --fixture "$build/tests/browser/report_fixture" --work "$build/browser"
echo "browser stage: $((SECONDS - start)) s"
