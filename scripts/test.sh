#!/usr/bin/env bash
# The README's test command: every test fixgate has.
#   1. the ctest suite of the main build (unit, CLI, benchmark smoke, layering, install), but
#      the soak label (long repetitions, run by hand: ctest --test-dir build -L soak);
#   2. the unit tests again under ASan+UBSan (build-asan/);
#   3. the threaded code's tests (ordering, engine) under ThreadSanitizer (scripts/tsan.sh);
#   4. each libFuzzer target for FUZZ_SECONDS (default 30) from its corpus (build-fuzz/); longer
#      runs by hand: FUZZ_SECONDS=600 scripts/test.sh.
# Run scripts/setup.sh first. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
passed=0
failed=0

count() {  # adds the counts of a ctest log to the totals
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$1" | tail -1 || true)
  if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
    failed=$((failed + BASH_REMATCH[1]))
    passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  fi
}

run_ctest() {  # run_ctest BUILD_DIR LOG [ctest args...]
  local dir=$1 log=$2
  shift 2
  local rc=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$JOBS" --timeout 600 "$@" 2>&1 |
    tee "$log" |
    grep -vE "^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed|^ +Start +[0-9]+:" || rc=${PIPESTATUS[0]}
  count "$log"
  if grep -qE "Not Run|\*\*\*Skipped| Disabled" "$log"; then
    echo "test.sh: a test was skipped or not run in $dir" >&2
    rc=1
  fi
  return "$rc"
}

echo "== 1/4 main build: ctest"
cmake --build build -j"$JOBS" >/dev/null
run_ctest build build/ctest.log -LE soak

echo "== 2/4 ASan+UBSan build: unit tests"
# The sanitizer builds keep line tables only (-g1; clang's -gline-tables-only), enough for
# symbolized reports: full debug information is about a third of a compile. ASan at -O0 (-O1
# doubles its compile time), the fuzzers at -O1 as OSS-Fuzz builds them. Configured on every run
# (quick) so that a change of these flags reaches an existing folder.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFIXGATE_SANITIZE=ON \
  -DFIXGATE_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1 >/dev/null
# Only what the unit tests run (the target unit_tests), not the interop, gateway or recovery tests.
if ! cmake --build build-asan -j"$JOBS" --target unit_tests >build-asan/build.log 2>&1; then
  tail -n 40 build-asan/build.log
  exit 1
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan build-asan/ctest.log -L unit

echo "== 3/4 ThreadSanitizer: threaded code (ordering, engine, file store)"
if tsan_out=$(scripts/tsan.sh 2>&1); then
  n=$(grep -oE '\[  PASSED  \] [0-9]+ test' <<<"$tsan_out" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
  passed=$((passed + ${n:-0}))
  echo "tsan: ${n:-0} tests clean"
else
  echo "$tsan_out" | tail -n 40
  failed=$((failed + 1))
fi

echo "== 4/4 libFuzzer: ${FUZZ_SECONDS}s per target"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIXGATE_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" >/dev/null
if ! cmake --build build-fuzz -j"$JOBS" --target framer_fuzz parse_validate_fuzz session_fuzz \
    >build-fuzz/build.log 2>&1; then
  tail -n 40 build-fuzz/build.log
  exit 1
fi
for target in framer_fuzz parse_validate_fuzz session_fuzz; do
  corpus=fuzz/corpus/${target%_fuzz}
  work=build-fuzz/corpus-$target
  mkdir -p "$work"
  # Found crashers land in fuzz/corpus/<target>/ so they become regression inputs.
  if build-fuzz/fuzz/$target -max_total_time="$FUZZ_SECONDS" -max_len=8192 -print_final_stats=0 \
      -artifact_prefix="$corpus/crash-" "$work" "$corpus" >build-fuzz/$target.log 2>&1; then
    echo "$target: ran clean for ${FUZZ_SECONDS}s ($(grep -oE '#[0-9]+' build-fuzz/$target.log | tail -1 | tr -d '#') runs)"
    passed=$((passed + 1))
  else
    tail -n 30 build-fuzz/$target.log
    echo "$target: FAILED (crash input saved under $corpus/)"
    failed=$((failed + 1))
  fi
done

echo
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
