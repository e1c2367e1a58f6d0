#!/usr/bin/env python3
"""Counts meson test results from one or more testlog.json files.

Names every test that did not pass, with the last lines it printed (the
full output is further up the log, but a log's tail is often all that is
kept), then prints the last line, "N passed,
N failed, N skipped", and exits 1 when anything failed or a log is missing (a
build that failed leaves no log, which must not read as success).
"""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
TAIL_LINES = 15
SKIPPED = {"SKIP"}


def main(paths):
    passed = failed = skipped = 0
    failures = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as log:
                lines = [line for line in log if line.strip()]
        except OSError as error:
            print(f"test-summary: no test log at {path} ({error.strerror}); counted as a failure",
                  file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            entry = json.loads(line)
            result = entry.get("result", "ERROR")
            if result in PASSED:
                passed += 1
            elif result in SKIPPED:
                skipped += 1
            else:
                failed += 1
                output = (entry.get("stdout") or "") + (entry.get("stderr") or "")
                tail = [line for line in output.splitlines() if line.strip()][-TAIL_LINES:]
                failures.append((f"{path}: {entry.get('name', '?')} {result} "
                                 f"after {entry.get('duration', 0):.1f} s", tail))
    for failure, tail in failures:
        print(f"failed: {failure}")
        for line in tail:
            print(f"  | {line}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
