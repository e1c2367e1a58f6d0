#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time and reports in TAP.

usage: run-libfuzzer.py FUZZER NAME SEEDS REGRESSIONS

The fuzzer starts from the seeds kept in the repository and the regression
inputs, writes what it discovers into a temporary corpus (never into the
repository), and stops after FUZZ_SECONDS (20 by default). A crash, a leak,
a timeout or an out-of-memory leaves an artifact, which is copied to
FUZZ_ARTIFACTS (default: the build folder) so it can become a regression
input in tests/fuzz/regressions/NAME/.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    fuzzer, name, seeds, regressions = sys.argv[1:5]
    seconds = int(os.environ.get('FUZZ_SECONDS', '20'))
    keep = os.environ.get('FUZZ_ARTIFACTS', os.path.join(os.getcwd(), 'fuzz-artifacts'))
    print('1..1')
    with tempfile.TemporaryDirectory(prefix='saphan-fuzz-') as tmp:
        corpus = os.path.join(tmp, 'corpus')
        artifacts = os.path.join(tmp, 'artifacts') + os.sep
        os.makedirs(corpus)
        os.makedirs(artifacts)
        env = dict(os.environ)
        # libFuzzer wants the sanitizers to report, not to abort silently. A
        # fatal GLib warning raises SIGTRAP, which libFuzzer does not catch
        # itself; ASan's handler turns it into a crash with a saved input.
        env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') +
                               ':abort_on_error=1:detect_leaks=1:handle_sigtrap=1')
        # A fixed seed makes a CI run repeatable; FUZZ_SEED=0 lets libFuzzer
        # pick one, for longer runs on a developer's machine.
        seed = os.environ.get('FUZZ_SEED', '1')
        cmd = [fuzzer, f'-seed={seed}', f'-max_total_time={seconds}', '-rss_limit_mb=2048',
               # A hang, not a slow input on a busy machine, is what this catches.
               '-timeout=30',
               '-max_len=262144', '-print_final_stats=1', f'-artifact_prefix={artifacts}',
               corpus] + [d for d in (seeds, regressions) if os.path.isdir(d)]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors='replace', timeout=seconds + 120)
        log = proc.stdout
        runs = re.findall(r'stat::number_of_executed_units:\s*(\d+)', log)
        cov = re.findall(r'cov: (\d+)', log)
        found = sorted(os.listdir(artifacts))
        summary = (f'{name}: {runs[-1] if runs else "?"} runs in {seconds} s, '
                   f'coverage {cov[-1] if cov else "?"} edges, corpus {len(os.listdir(corpus))} new')
        if proc.returncode == 0 and not found:
            print(f'ok 1 - {summary}')
            return 0
        os.makedirs(keep, exist_ok=True)
        for f in found:
            shutil.copy(os.path.join(artifacts, f), os.path.join(keep, f'{name}-{f}'))
        # meson shows a failed test's stderr, so the tail goes there too.
        for line in log.splitlines()[-80:]:
            print('# ' + line)
            print(line, file=sys.stderr)
        print(f'not ok 1 - {summary}: exit {proc.returncode}, artifacts {found} kept in {keep}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
