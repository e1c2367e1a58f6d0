#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds twice (a normal
# build and an AddressSanitizer/UndefinedBehaviorSanitizer build), runs every
# test under Xvfb in both, runs the fuzzers under libFuzzer for a bounded
# time (a clang build), and ends with one line "N passed, N failed,
# N skipped" counted from meson's test logs.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash tools/setup-deps.sh || exit 3

status=0
run_suite() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" || return 1
  fi
  ninja -C "$dir" || return 1
  # One X server for the whole run; UI tests find it through DISPLAY.
  xvfb-run -a -s "-screen 0 1280x1024x24" \
    meson test -C "$dir" --print-errorlogs --num-processes 2 \
      --timeout-multiplier "${SAPHAN_TIMEOUT_MULTIPLIER:-1}"
}

echo "== normal build"
run_suite build || status=1
echo "== sanitizer build (address, undefined)"
SAPHAN_TIMEOUT_MULTIPLIER=3 run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  || status=1

# libFuzzer needs clang; only the fuzz targets are built there, each run for
# FUZZ_SECONDS (20 by default) from the seeds kept in tests/fuzz/corpus.
run_fuzz() {
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false || return 1
  fi
  targets=$(ninja -C build-fuzz -t targets all | sed -n 's#^\(tests/fuzz/fuzz-[a-z-]*\): .*#\1#p' | sort -u)
  ninja -C build-fuzz $targets || return 1
  meson test -C build-fuzz --no-rebuild --suite fuzz --print-errorlogs --num-processes 2
}
echo "== fuzzing (clang, libFuzzer, address and undefined)"
run_fuzz || status=1

python3 tools/test-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
  build-fuzz/meson-logs/testlog.json || status=1
exit $status
