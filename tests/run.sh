#!/usr/bin/env bash
# Builds and runs the whole test suite, twice: with g++ and -Werror, then with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer. Installs missing Debian packages first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/cmake/install-debian-packages.sh"
jobs="$(nproc)"

echo "=== g++, -Werror ==="
cmake -S "$root" -B "$root/build/gcc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
  -DWANDB_IMAGEMASK_WERROR=ON
cmake --build "$root/build/gcc" -j "$jobs"
(cd "$root/build/gcc" && ctest -j "$jobs" --output-on-failure)

echo "=== clang, -fsanitize=address,undefined ==="
cmake -S "$root" -B "$root/build/clang-asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_SANITIZE=address,undefined -DWANDB_IMAGEMASK_BUILD_BENCH=OFF
cmake --build "$root/build/clang-asan" -j "$jobs"
# The consumer projects ran in the g++ pass; they build without sanitizers.
(cd "$root/build/clang-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j "$jobs" --output-on-failure -E '^consumer\.')

echo "=== all tests passed ==="
