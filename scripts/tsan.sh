#!/usr/bin/env bash
# ThreadSanitizer run of the threaded code's tests: the ordering layer (worker pools), the
# engine (event loop threads, cross-thread API, TLS), the file store (background syncs) and the
# gateway: the NATS publisher (its thread, nats.c's callbacks), the LP supervisor (its thread, the
# sessions' loops, admin calls) and the admin HTTP server (httplib's workers). Configures build-tsan/, builds those
# test programs only and runs them. Exits non-zero on any test failure or reported race.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
# -Wno-tsan: asio's fenced blocks use atomic_thread_fence, which g++ warns TSan cannot see;
# its synchronisation still goes through mutexes TSan does see. -O1 -g1: as the other sanitizer
# builds (scripts/test.sh), symbolized reports at half the compile time of -O3 -g. Configured on
# every run (quick) so that a change of these flags reaches an existing folder.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIXGATE_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=thread -Wno-tsan" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
if ! nice cmake --build build-tsan -j"$JOBS" --target base_test ordering_test engine_test store_test \
    nats_publisher_test lp_gateway_test admin_server_test quickfix_peer \
    >build-tsan/build.log 2>&1; then
  tail -n 40 build-tsan/build.log
  exit 1
fi
# halt_on_error: the first race fails the run; exitcode makes a race fail even if tests pass.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
# Runs a test program; fails on a failed test, a race, or a skipped test (a skip is no pass).
run() {
  local log
  log=build-tsan/$(basename "$1").log
  "$@" 2>&1 | tee "$log"
  if grep -q '^\[  SKIPPED \]' "$log"; then
    echo "tsan.sh: $(basename "$1") skipped a test" >&2
    exit 1
  fi
}
run build-tsan/src/base_test --gtest_brief=1
run build-tsan/src/ordering_test --gtest_brief=1
run build-tsan/tests/engine_test --gtest_brief=1
# The file store's tests (not the kill -9 ones, which fork a writer to kill).
run build-tsan/src/store_test --gtest_brief=1 --gtest_filter='FileStoreTest.*:SegmentFormat*'
run build-tsan/src/gateway/nats_publisher_test --gtest_brief=1
run build-tsan/src/gateway/admin_server_test --gtest_brief=1
# The supervisor against SQLite (the PostgreSQL and fixgated runs add no threads of ours).
run build-tsan/tests/lp_gateway_test --gtest_brief=1 --gtest_filter='*LpGatewayTest*Sqlite*'
echo "tsan.sh: base_test, ordering_test, engine_test, store_test, nats_publisher_test, admin_server_test and" \
  "lp_gateway_test clean under ThreadSanitizer"
