#!/usr/bin/env bash
# Builds and runs every test: the Release build's whole suite, then the ASan+UBSan build
# and the ThreadSanitizer build of the suites that involve threads, rings or memory.
# Usage: scripts/test.sh            (all three)
#        TP_TEST_SANITIZERS=0 scripts/test.sh   (Release suite only)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

scripts/setup.sh
echo "== Release: all tests"
ctest --test-dir build --output-on-failure -j"$JOBS"

if [ "${TP_TEST_SANITIZERS:-1}" != "0" ]; then
  echo "== ASan+UBSan"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTP_SANITIZE=address -DTP_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$JOBS" -LE slow
  echo "== TSan"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTP_SANITIZE=thread -DTP_BUILD_BENCH=OFF >/dev/null
  cmake --build build-tsan -j"$JOBS"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure -j"$JOBS" -L 'ring|runner|pipeline|storage|fix'
  # The live engine's threads (the FIX feed on the hot thread, the signal/stop path, the
  # persister) under TSan, end to end on loopback: a clean day slice and a reconnect.
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    build-tsan/tests/live_test --gtest_filter='*BothBooksAgree*:*Disconnect*'
  # Operator control (the driver's socket into the feed's control queue) and a restart
  # (recovery, reconciliation) under TSan: the engines these tests start are TSan builds.
  # The sweep's worker threads over one shared TickSet (and each set's replay, fused).
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    build-tsan/tests/sweep_test --gtest_filter='*EverySetIsExactlyItsReplay*'
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/ctl_test
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/reconcile_test --gtest_filter='*Restart*'
fi
echo "== all tests passed"
