#!/usr/bin/env bash
# Builds and runs the whole test suite: with g++ and -Werror, header-only (with it the consumer
# projects and the .deb), then the PNG and deflate tests built without libdeflate, then everything
# with clang and AddressSanitizer + UndefinedBehaviorSanitizer in compiled mode (against
# wandb::imagemask_compiled: so every test runs in both modes), then the concurrency tests with
# clang and ThreadSanitizer (compiled mode too), then each libFuzzer target for 45 seconds (two at a time), then the further
# stages (own scripts). Installs missing Debian packages first. Prints each stage's time at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/cmake/install-debian-packages.sh"
jobs="$(nproc)"
stage_times=()
stage_start=$SECONDS
end_stage() {
  stage_times+=("$1: $((SECONDS - stage_start)) s")
  stage_start=$SECONDS
}

echo "=== g++, -Werror ==="
# Optimized (-O2: the warnings that need the optimizer, and the speed the load tests assume) but
# without debug info, which took a third of the compile time. Header-only, the test files are
# compiled in unity batches (tests/CMakeLists.txt): each would otherwise compile the library again.
cmake -S "$root" -B "$root/build/gcc" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=g++ -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_BUILD_ADAPTER_TESTS=OFF
cmake --build "$root/build/gcc" -j "$jobs"
# Also the consumers (label "consumer", tests/consumers/): add_subdirectory, FetchContent,
# find_package, pkg-config and no-libstb projects built against one install, and the .deb packages
# installed with apt-get (as root; skipped, saying why, otherwise).
(cd "$root/build/gcc" && ctest -j "$jobs" --output-on-failure)
end_stage "g++"

echo "=== g++, -Werror, without libdeflate: the PNG, deflate and checksum tests ==="
# The fallback deflate, Adler-32 and CRC-32 and the other side of each have_libdeflate test; only
# the binary holding those tests is built (tests/CMakeLists.txt), and the PIL cross-check.
cmake -S "$root" -B "$root/build/gcc-no-libdeflate" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=g++ -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_USE_LIBDEFLATE=OFF \
  -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF -DWANDB_IMAGEMASK_BUILD_BENCH=OFF -DWANDB_IMAGEMASK_BUILD_TOOLS=OFF \
  -DWANDB_IMAGEMASK_INSTALL=OFF
cmake --build "$root/build/gcc-no-libdeflate" -j "$jobs" --target wandb_imagemask_png_tests png_write_fixtures
no_libdeflate_tmp="$root/build/gcc-no-libdeflate/tests/tmp"
rm -rf "$no_libdeflate_tmp" && mkdir -p "$no_libdeflate_tmp"
WANDB_TEST_TMPDIR="$no_libdeflate_tmp" "$root/build/gcc-no-libdeflate/tests/wandb_imagemask_png_tests"
(cd "$root/build/gcc-no-libdeflate" && ctest --output-on-failure -R '^png_decode_pil$')
end_stage "g++ without libdeflate"

echo "=== clang, -fsanitize=address,undefined, compiled mode ==="
# Line tables are all the sanitizers' reports need (file:line in every frame); full debug info
# only made the build slower.
# Every target, the benchmarks too: a default clang build must work (-Werror here). The g++ pass
# already compiled every header on its own (WANDB_IMAGEMASK_VERIFY_HEADERS). Compiled mode: every
# test, example and the tool built with WANDB_IMAGEMASK_HEADER_ONLY=0 against the compiled library.
cmake -S "$root" -B "$root/build/clang-asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ -DWANDB_IMAGEMASK_VERIFY_HEADERS=OFF \
  -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_SANITIZE=address,undefined -DWANDB_IMAGEMASK_BUILD_ADAPTER_TESTS=OFF \
  -DWANDB_IMAGEMASK_COMPILED_TESTS=ON
cmake --build "$root/build/clang-asan" -j "$jobs"
# The consumer projects ran in the g++ pass; they build without sanitizers. So did the memory
# test (label "memory"): under ASan, RSS holds its quarantine and 100,000 steps take over a minute.
(cd "$root/build/clang-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j "$jobs" --output-on-failure -LE 'consumer|memory')
end_stage "clang ASan+UBSan"

echo "=== clang, -fsanitize=thread, compiled mode: the concurrency tests ([threads]) ==="
# Only the binary holding the concurrency tests is built (tests/CMakeLists.txt), and the compiled
# library it links.
# -O1 with line tables: every report still names file:line, and the build takes far less time.
cmake -S "$root" -B "$root/build/clang-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ \
  -DWANDB_IMAGEMASK_COMPILED_TESTS=ON \
  -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_SANITIZE=thread -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF \
  -DWANDB_IMAGEMASK_BUILD_BENCH=OFF
cmake --build "$root/build/clang-tsan" -j "$jobs" --target wandb_imagemask_thread_tests
tsan_tmp="$root/build/clang-tsan/tests/tmp"
rm -rf "$tsan_tmp" && mkdir -p "$tsan_tmp"
WANDB_TEST_TMPDIR="$tsan_tmp" TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  "$root/build/clang-tsan/tests/wandb_imagemask_thread_tests" "[threads]"
end_stage "clang TSan"

fuzz_seconds=45
echo "=== clang, libFuzzer + ASan + UBSan: each target for $fuzz_seconds s, two at a time ==="
# Failing on any crash, leak, timeout (10 s per input) or allocation over the limits; the input
# is left in build/fuzz/tests/fuzz/work/<target>-<kind>-<sha1>. New inputs go to work/<target>/,
# never into the committed seeds (tests/fuzz/corpus/<target>/).
cmake -S "$root" -B "$root/build/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DWANDB_IMAGEMASK_WERROR=ON -DWANDB_IMAGEMASK_SANITIZE=address,undefined -DWANDB_IMAGEMASK_BUILD_FUZZERS=ON \
  -DWANDB_IMAGEMASK_BUILD_TESTS=OFF -DWANDB_IMAGEMASK_BUILD_EXAMPLES=OFF -DWANDB_IMAGEMASK_BUILD_BENCH=OFF \
  -DWANDB_IMAGEMASK_BUILD_TOOLS=OFF -DWANDB_IMAGEMASK_INSTALL=OFF -DWANDB_IMAGEMASK_LINK_STB=OFF \
  -DWANDB_IMAGEMASK_BUILD_COMPILED=OFF
cmake --build "$root/build/fuzz" -j "$jobs"
fuzz="$root/build/fuzz/tests/fuzz"
run_fuzzer() {
  local target="$1"
  mkdir -p "$fuzz/work/$target" "$scratch"
  WANDB_FUZZ_TMPDIR="$scratch" "$fuzz/fuzz_$target" -max_total_time="$fuzz_seconds" -rss_limit_mb=1024 \
    -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$fuzz/work/$target-" \
    "$fuzz/work/$target" "$root/tests/fuzz/corpus/$target" > "$fuzz/work/$target.log" 2>&1
}
report_fuzzer() {
  local target="$1" status="$2"
  if [[ "$status" != 0 ]]; then
    tail -n 80 "$fuzz/work/$target.log"
    echo "fuzz_$target FAILED (exit $status); log: $fuzz/work/$target.log"
    return 1
  fi
  echo "fuzz_$target: $(sed -n 's/^stat::number_of_executed_units: *//p' "$fuzz/work/$target.log") executions in $fuzz_seconds s, no failure"
}
# The targets read their input from a scratch file: on tmpfs (/dev/shm) when there is one.
scratch="$fuzz/scratch"
if [[ -d /dev/shm && -w /dev/shm ]]; then
  scratch="/dev/shm/wandb-imagemask-fuzz-$$"
fi
# Two targets at a time (one per core); all four are reported.
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
run_fuzzer mask_file & mask_pid=$!
run_fuzzer image_file & image_pid=$!
mask_status=0 image_status=0 log_status=0 yaml_status=0
wait "$mask_pid" || mask_status=$?
wait "$image_pid" || image_status=$?
run_fuzzer run_log & log_pid=$!
run_fuzzer config_yaml & yaml_pid=$!
wait "$log_pid" || log_status=$?
wait "$yaml_pid" || yaml_status=$?
rm -rf "$scratch"
trap - EXIT
fuzz_failed=0
report_fuzzer mask_file "$mask_status" || fuzz_failed=1
report_fuzzer image_file "$image_status" || fuzz_failed=1
report_fuzzer run_log "$log_status" || fuzz_failed=1
report_fuzzer config_yaml "$yaml_status" || fuzz_failed=1
((fuzz_failed == 0))
end_stage "libFuzzer"

# Further stages: each is its own script in tests/ (it builds what it needs in its own build
# directory below build/ and exits non-zero on failure), called here in turn, its time recorded:
#   echo "=== <what it checks> ==="
#   "$root/tests/<stage>.sh"
#   end_stage "<name>"

echo "=== OpenCV, LibTorch and Eigen: the adapters' tests, their examples and consumer ==="
# Its own build (tests/adapters/run.sh installs the three libraries if missing).
"$root/tests/adapters/run.sh"
end_stage "adapters"

echo "=== headless Chromium: the report of wandb-imagemask view, read by its pixels ==="
# Reuses the g++ build (tool and report_fixture are built there already).
"$root/tests/browser/run.sh" "$root/build/gcc"
end_stage "browser"

printf '%s\n' "${stage_times[@]}"
echo "=== all tests passed ==="
