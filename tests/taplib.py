"""A small TAP producer for the project's Python tests.

Each check is a function; the runner prints "ok N name" or "not ok N name"
with the failure indented as a TAP comment, and exits 1 if any failed.
"""
import sys
import traceback


class Skip(Exception):
    """Raised by a check that cannot run on this machine."""


def run(checks):
    print(f"1..{len(checks)}")
    failed = 0
    for number, check in enumerate(checks, start=1):
        name = check.__name__
        try:
            check()
        except Skip as reason:
            print(f"ok {number} {name} # SKIP {reason}")
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            failed += 1
            print(f"not ok {number} {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        else:
            print(f"ok {number} {name}")
        sys.stdout.flush()
    return 1 if failed else 0
