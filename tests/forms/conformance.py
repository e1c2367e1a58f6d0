#!/usr/bin/env python3
"""Runs the shared XForms conformance cases through `saphanctl form fill`.

usage: conformance.py SAPHANCTL SHARED_DIR DIFFERENCES_FILE [--own DIR]
                      [--submissions FILE.json] [--verbose] [CASE_SUBSTRING...]

Every case (fill script A, and B where present) is filled headless and its
node states are compared with the reference engine's by the shared
compare.py. A differing node fails the test unless DIFFERENCES_FILE lists
it ("CASE REF reason", CASE being the answers file name without
".answers.json"). Every form in reject/ must be refused: exit 1 with a
message naming the file. Prints "cases matching: X/Y". Exit 77 (skip) when
the shared folder is absent. --own DIR adds the project's own cases, laid
out the same way (their expected states also come from the reference
engine, through the shared oracle.mjs).
"""
import concurrent.futures
import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile


def load_differences(path):
    listed = {}
    if not os.path.exists(path):
        return listed
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                print(f"conformance: {path}: a line needs CASE REF REASON: {line}", file=sys.stderr)
                sys.exit(1)
            listed[(parts[0], parts[1])] = parts[2]
    return listed


# Values that differ on every run: the instance's uuid and the clock.
VOLATILE = re.compile(r"<((?:\w+:)?(?:instanceID|start|end|today))>[^<]*</")


EMPTY_VOLATILE = re.compile(r"<((?:\w+:)?(?:instanceID|end))/>")


def normalize_submission(text, volatile_names=()):
    """Masks volatile values; an empty instanceID or end time (filled in
    only when a fill is finalized) counts as masked too."""
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text.strip())
    text = EMPTY_VOLATILE.sub(lambda m: f"<{m.group(1)}>*</{m.group(1)}>", text)
    text = VOLATILE.sub(lambda m: f"<{m.group(1)}>*</", text)
    for name in volatile_names:
        text = re.sub(rf"<({re.escape(name)})>[^<]*</", lambda m: f"<{m.group(1)}>*</", text)
        text = re.sub(rf"<({re.escape(name)})/>", lambda m: f"<{m.group(1)}>*</{m.group(1)}>", text)
    return re.sub(r"uuid:[0-9a-f-]{36}", "uuid:*", text)


def volatile_names(expected):
    with open(expected, encoding="utf-8") as f:
        nodes = json.load(f)["nodes"]
    return sorted({n["ref"].rsplit("/", 1)[-1].split("[")[0] for n in nodes if n.get("volatile")})


def check_submission(saphanctl, form, answers, want_xml, names):
    """Where the reference engine's submission is known, the bytes must match."""
    proc = subprocess.run([saphanctl, "form", "fill", form, "--answers", answers, "--submission"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if proc.returncode != 0:
        return f"submission refused: {proc.stderr.strip()}"
    want = normalize_submission(want_xml, names)
    got = normalize_submission(proc.stdout, names)
    if want != got:
        return f"submission differs:\n  expected {want}\n  got      {got}"
    return None


class Compared:
    def __init__(self, returncode, stdout):
        self.returncode = returncode
        self.stdout = stdout


_compare_module = None


def run_compare(compare, expected, actual):
    """Runs the shared compare.py in this process: the same program and
    rules, without starting an interpreter per case."""
    global _compare_module
    if _compare_module is None:
        spec = importlib.util.spec_from_file_location("shared_compare", compare)
        _compare_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_compare_module)
    out = io.StringIO()
    saved = sys.argv
    sys.argv = [compare, expected, actual]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            _compare_module.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    finally:
        sys.argv = saved
    return Compared(code, out.getvalue())


def run_case(saphanctl, compare, form, answers, expected, tmpdir, submissions):
    case = os.path.basename(answers)[: -len(".answers.json")]
    out = os.path.join(tmpdir, case + ".actual.json")
    with open(out, "w", encoding="utf-8") as f:
        proc = subprocess.run([saphanctl, "form", "fill", form, "--answers", answers, "--state-json"],
                              stdout=f, stderr=subprocess.PIPE, text=True, timeout=120)
    if proc.returncode not in (0, 1) or os.path.getsize(out) == 0:
        return case, None, f"fill failed (exit {proc.returncode}): {proc.stderr.strip()}"
    cmp = run_compare(compare, expected, out)
    diffs = []
    for line in cmp.stdout.splitlines():
        if line.startswith("differs  "):
            ref, _, what = line[len("differs  "):].partition(": ")
            diffs.append((ref, what))
        elif line.startswith("missing  "):
            diffs.append((line[len("missing  "):].strip(), "missing"))
    if cmp.returncode == 2:
        return case, None, cmp.stdout.strip()
    want = submissions.get(case)
    submission = answers[: -len(".answers.json")] + ".submission.xml"
    if want is None and os.path.exists(submission):
        with open(submission, encoding="utf-8") as f:
            want = f.read()
    if want is not None:
        problem = check_submission(saphanctl, form, answers, want, volatile_names(expected))
        if problem:
            diffs.append(("<submission>", problem))
    return case, diffs, proc.stderr.strip()


def main():
    argv = sys.argv[1:]
    own_dirs = []
    submissions = {}
    while "--submissions" in argv:
        i = argv.index("--submissions")
        with open(argv[i + 1], encoding="utf-8") as f:
            submissions.update(json.load(f))
        del argv[i:i + 2]
    while "--own" in argv:
        i = argv.index("--own")
        own_dirs.append(argv[i + 1])
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    verbose = "--verbose" in argv
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    saphanctl, shared, differences = args[0], args[1], args[2]
    filters = args[3:]
    base = os.path.join(shared, "conformance")
    cases_dir = os.path.join(base, "xforms", "cases")
    reject_dir = os.path.join(base, "xforms", "reject")
    compare = os.path.join(base, "compare.py")
    if not os.path.isdir(cases_dir) or not os.path.exists(compare):
        print(f"# skipped: {cases_dir} is absent")
        return 77
    listed = load_differences(differences)

    jobs = []
    for folder in [cases_dir] + own_dirs:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".answers.json"):
                continue
            if filters and not any(s in name for s in filters):
                continue
            stem = name[: -len(".answers.json")]
            form_stem = stem[:-2] if stem.endswith(".b") else stem
            form = os.path.join(folder, form_stem + ".xml")
            expected = os.path.join(folder, stem + ".expected.json")
            if os.path.exists(form) and os.path.exists(expected):
                jobs.append((form, os.path.join(folder, name), expected))

    failures = []
    matching = 0
    justified = 0
    used = set()
    with tempfile.TemporaryDirectory() as tmpdir, \
            concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = [pool.submit(run_case, saphanctl, compare, *job, tmpdir, submissions) for job in jobs]
        for fut in futures:
            case, diffs, note = fut.result()
            if diffs is None:
                if (case, "*") in listed:
                    used.add((case, "*"))
                else:
                    failures.append(f"{case}: {note}")
                continue
            if not diffs:
                matching += 1
            elif all((case, ref) in listed for ref, _ in diffs):
                justified += 1
            for ref, what in diffs:
                if (case, ref) in listed:
                    used.add((case, ref))
                    if verbose:
                        print(f"# listed   {case} {ref}: {what}")
                else:
                    failures.append(f"{case} {ref}: {what}")

    rejects = 0
    reject_failures = []
    if os.path.isdir(reject_dir) and not filters:
        for name in sorted(os.listdir(reject_dir)):
            if not name.endswith(".xml"):
                continue
            path = os.path.join(reject_dir, name)
            proc = subprocess.run([saphanctl, "form", "check", path], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
            message = proc.stderr.strip()
            if proc.returncode != 1 or name not in message:
                reject_failures.append(f"reject/{name}: exit {proc.returncode}, message {message!r}")
            else:
                rejects += 1
                if verbose:
                    print(f"# refused  {name}: {message}")

    for (case, ref) in sorted(set(listed) - used):
        if not filters:
            print(f"# note: listed difference no longer occurs: {case} {ref}")
    print(f"cases matching: {matching}/{len(jobs)}")
    print(f"cases differing only where listed as justified: {justified}")
    compared = sum(1 for j in jobs if os.path.basename(j[1])[: -len(".answers.json")] in submissions
                   or os.path.exists(j[1][: -len(".answers.json")] + ".submission.xml"))
    print(f"submissions compared byte for byte: {compared}")
    print(f"rejected forms refused: {rejects}/{rejects + len(reject_failures)}")
    for line in failures + reject_failures:
        print(f"FAIL {line}")
    return 1 if failures or reject_failures else 0


if __name__ == "__main__":
    sys.exit(main())
