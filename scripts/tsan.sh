#!/usr/bin/env bash
# ThreadSanitizer run of the ordering layer's tests (the only threaded code in the library so
# far): configures build-tsan/, builds ordering_test alone and runs it. Exits non-zero on any
# test failure or reported race.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
if [[ ! -f build-tsan/build.ninja ]]; then
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIXGATE_BENCH=OFF \
    -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
fi
if ! nice cmake --build build-tsan -j"$JOBS" --target ordering_test >build-tsan/build.log 2>&1; then
  tail -n 40 build-tsan/build.log
  exit 1
fi
# halt_on_error: the first race fails the run; exitcode makes a race fail even if tests pass.
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
  build-tsan/src/ordering_test --gtest_brief=1
echo "tsan.sh: ordering_test clean under ThreadSanitizer"
