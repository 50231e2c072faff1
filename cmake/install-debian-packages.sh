#!/usr/bin/env bash
# Installs the Debian 12 packages this project needs, if any is missing (as root, or via sudo).
# Used by examples/run.sh, tests/run.sh and .ci/run, so all three need the same list.
set -euo pipefail

packages=(
  g++ clang libclang-rt-14-dev cmake make        # compilers (clang for the sanitizer and fuzz builds)
  libxtensor-dev nlohmann-json3-dev libstb-dev   # the library's dependencies
  libdeflate-dev                                 # fast PNG compression (optional for users)
  catch2 zlib1g-dev libpng-dev                   # tests (zlib writes fixtures, libpng cross-decodes)
  python3 python3-pil python3-numpy              # independent checkers and the SDK baseline
  pkg-config dpkg-dev file                       # consumer tests: pkg-config, cpack -G DEB (dpkg-shlibdeps)
)

missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing missing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
