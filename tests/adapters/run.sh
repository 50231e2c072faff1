#!/usr/bin/env bash
# The adapters' stage: installs OpenCV (core, imgcodecs), LibTorch and Eigen from Debian if
# missing, checks that a configure without them skips the adapters with a message, then builds
# only the adapters' tests, their two examples and their benchmark (g++, -Werror) and runs them:
# the three test binaries, both examples with their Python checkers and the find_package
# consumer. Called by tests/run.sh; runs on its own too.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build/adapters"
jobs="$(nproc)"
start=$SECONDS

packages=(libopencv-core-dev libopencv-imgcodecs-dev libtorch-dev libeigen3-dev)
missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "Installing missing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "adapters: packages ready after $((SECONDS - start)) s"

# Without the libraries, each adapter and its tests are skipped with a message (the libraries are
# hidden from this configure; nothing else changes).
absent="$root/build/adapters-absent"
cmake -S "$root" -B "$absent" -DWANDB_IMAGEMASK_BUILD_TESTS=OFF -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF \
  -DWANDB_IMAGEMASK_BUILD_BENCH=OFF -DWANDB_IMAGEMASK_BUILD_TOOLS=OFF -DWANDB_IMAGEMASK_BUILD_ADAPTER_TESTS=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON \
  -DWANDB_IMAGEMASK_OPENCV_INCLUDE_DIR=/nonexistent > "$absent.log"
for name in opencv torch eigen; do
  grep -q "<wandb/$name.hpp> adapter skipped, with its tests and example" "$absent.log" ||
    { cat "$absent.log"; echo "adapters: no skip message for $name without its library"; exit 1; }
done
grep "adapter skipped" "$absent.log"

# -O0 without debug info: the time goes into parsing LibTorch's and OpenCV's headers, and -O2
# would add a third to it; the training and the tests run in seconds either way. (The benchmark
# is built to keep it compiling, not run: its figures need -O2, see bench/README.md.)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0" \
  -DCMAKE_CXX_COMPILER=g++ -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_BUILD_TESTS=OFF \
  -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF -DWANDB_IMAGEMASK_BUILD_TOOLS=OFF -DWANDB_IMAGEMASK_BUILD_BENCH=ON \
  -DWANDB_IMAGEMASK_BUILD_ADAPTER_TESTS=ON -DWANDB_IMAGEMASK_OPENCV=ON -DWANDB_IMAGEMASK_TORCH=ON \
  -DWANDB_IMAGEMASK_EIGEN=ON -DWANDB_IMAGEMASK_BUILD_COMPILED=OFF
configured=$SECONDS
# Only the adapters' targets (BUILD_BENCH also adds bench/, whose encoder benchmark is not needed here).
cmake --build "$build" -j "$jobs" --target wandb_imagemask_opencv_tests wandb_imagemask_torch_tests \
  wandb_imagemask_eigen_tests opencv_overlay libtorch_segmentation bench_adapters
built=$SECONDS
(cd "$build" && ctest -j "$jobs" --output-on-failure)
echo "adapters: install/check $((configured - start)) s, build $((built - configured)) s, run $((SECONDS - built)) s"
