#!/bin/bash
# Runs every Saphan benchmark against its peer and writes bench/results.json.
#
#   bash bench/run.sh            # the full run (about 10 minutes)
#   BENCH_QUICK=1 bash bench/run.sh   # fewer repetitions, 10,000 not 100,000 stored
#
# Builds a release build in build-bench, runs each measurement RUNS times
# (each run itself timing many operations), prints a table of min/median/max
# over the runs, and writes every figure to bench/results.json. It never
# passes or fails: it reports. Peers: ODK's reference form engine from
# tests/oracle (npm install there first) and Debian's Chromium (apt-get
# install chromium); a missing peer is reported as missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-bench
OUT=$ROOT/bench/results.json
RAW=$(mktemp -d /tmp/saphan-bench-XXXXXX)
trap 'rm -rf "$RAW"' EXIT
RUNS=${BENCH_RUNS:-5}
STORED_LARGE=100000
if [ -n "${BENCH_QUICK:-}" ]; then RUNS=3; STORED_LARGE=10000; fi
CASES=/work/shared/conformance/xforms/cases
[ -d "$CASES" ] || CASES=$ROOT/../shared/conformance/xforms/cases

# The kiosk is measured installed (into the build folder), as it runs in
# service: from the build tree it would not find its Thai catalogue and
# would start in English.
PREFIX=$BUILD/prefix
if [ -d "$BUILD" ]; then
  meson configure "$BUILD" -Dbuildtype=release --prefix="$PREFIX" >/dev/null
else
  meson setup "$BUILD" -Dbuildtype=release --prefix="$PREFIX" >/dev/null
fi
ninja -C "$BUILD" >/dev/null
meson install -C "$BUILD" --quiet >/dev/null

python3 bench/gen-form.py "$RAW/generated-2000.xml"
BENCH9=$CASES/performance__bench9.xml
DEPS=(/data/q0001 /data/c010 /data/q1001)

echo "== form engine (saphan)" >&2
for i in $(seq "$RUNS"); do
  "$BUILD/bench/bench-forms" "$BENCH9" 10 > "$RAW/forms-bench9-saphan-$i.json"
  "$BUILD/bench/bench-forms" "$RAW/generated-2000.xml" 5 "${DEPS[@]}" --answers 1000 \
    > "$RAW/forms-gen-saphan-$i.json"
done

if [ -d tests/oracle/node_modules/@getodk/xforms-engine ] && command -v node >/dev/null; then
  echo "== form engine (ODK reference engine)" >&2
  for i in $(seq "$RUNS"); do
    node bench/reference-engine.mjs tests/oracle "$BENCH9" 5 > "$RAW/forms-bench9-odk-$i.json"
    node bench/reference-engine.mjs tests/oracle "$RAW/generated-2000.xml" 2 "${DEPS[@]}" \
      --answers 200 > "$RAW/forms-gen-odk-$i.json"
  done
else
  echo "   reference engine missing: (cd tests/oracle && npm install)" >&2
fi

echo "== finalize vs fsync, on the disk holding $BUILD" >&2
for i in $(seq "$RUNS"); do
  rm -rf "$BUILD/bench/store-$i"; mkdir -p "$BUILD/bench/store-$i"
  "$BUILD/bench/bench-store" finalize "$BUILD/bench/store-$i" 200 > "$RAW/finalize-$i.json"
  rm -rf "$BUILD/bench/store-$i"
done

echo "== scaling: 1,000 vs $STORED_LARGE stored" >&2
for n in 1000 "$STORED_LARGE"; do
  for i in $(seq "$RUNS"); do
    rm -rf "$BUILD/bench/scale"; mkdir -p "$BUILD/bench/scale"
    "$BUILD/bench/bench-store" scaling "$BUILD/bench/scale" "$n" 100 > "$RAW/scaling-$n-$i.json"
    # The large store takes a while to build: three runs are enough.
    [ "$n" = "$STORED_LARGE" ] && [ "$i" -ge 3 ] && break
  done
done
rm -rf "$BUILD/bench/scale"

echo "== kiosk vs web kiosk (Xvfb)" >&2
if command -v Xvfb >/dev/null && command -v xwd >/dev/null; then
  python3 bench/ui-startup.py "$PREFIX/bin/saphan-kiosk" "$BUILD/bench/bench-gtk-minimal" \
    bench/elderly-allowance.html "$RUNS" > "$RAW/ui.json"
else
  echo "   Xvfb or xwd missing (apt-get install xvfb x11-apps)" >&2
fi

echo "== sync drain and goodput (tests/sync/bench-sync)" >&2
if ninja -C "$BUILD" tests/sync/bench-sync cli/saphanctl >/dev/null 2>&1; then
  # The sync module's own benchmark: drain rate against a bare libcurl loop,
  # and (as root) goodput on an emulated 64 kbit/s link.
  (cd "$BUILD" && G_TEST_SRCDIR="$ROOT/tests" G_TEST_BUILDDIR="$BUILD/tests" \
     timeout 900 tests/sync/bench-sync "$BUILD/cli/saphanctl" > "$RAW/sync.txt" 2>&1) || true
else
  echo "   tests/sync/bench-sync does not build" >&2
fi

python3 bench/report.py "$RAW" "$OUT"
