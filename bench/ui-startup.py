#!/usr/bin/env python3
"""Cold start to first frame, and memory, of three programs under one Xvfb.

usage: ui-startup.py KIOSK MINIMAL HTML RUNS > results.json

KIOSK is an installed saphan-kiosk (so that it finds its Thai catalogue and
starts in Thai, as a kiosk does), MINIMAL bench-gtk-minimal, HTML the static
page Chromium shows. One Xvfb serves all runs, alternating the programs so that
drift in the machine hits each alike.

First frame, measured the same way for all three: the root window is
captured with xwd in a tight loop from the moment the program is spawned;
when the screen has stopped changing for SETTLE seconds, the first frame is
the earliest capture identical to that settled screen, i.e. the moment the
finished first view was on the display. The resolution is one capture (about
10-20 ms here). The kiosk and the minimal window also report the end of
their first paint on their output; the time from the spawn until that line
arrives is printed beside it, with the programs' own figures (the kiosk's
from its application's start, the minimal window's from process start).

Renderer: the kiosk draws with GTK's Cairo renderer and never loads GL
unless GSK_RENDERER is set (ui/main.c); the minimal window is given the same
two variables, so that both pay for the same renderer.

Memory: with the program settled, the Pss of every process in its tree is
summed from /proc/PID/smaps_rollup, so pages shared between Chromium's
processes (or with nothing) count once in total.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

DISPLAY = ':87'
# What the kiosk sets for itself when the environment does not choose.
SAME_RENDERER = {'GSK_RENDERER': 'cairo', 'GDK_DEBUG': 'gl-disable'}
SETTLE = 3.0
LIMIT = 30.0


def capture():
    out = subprocess.run(['xwd', '-root', '-silent', '-display', DISPLAY],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    return hashlib.sha1(out).hexdigest()


def tree(pid):
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children.get(p, []))
    return pids


def pss_kib(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f'/proc/{p}/smaps_rollup') as f:
                m = re.search(r'^Pss:\s+(\d+) kB', f.read(), re.M)
                total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total, len(tree(pid))


def run(cmd, env_extra):
    """Spawns CMD, watches the screen, returns first frame ms and memory."""
    blank = capture()
    env = dict(os.environ, DISPLAY=DISPLAY, NO_AT_BRIDGE='1', **env_extra)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    shots = []
    last_change = t0
    last = blank
    while time.monotonic() - t0 < LIMIT:
        h = capture()
        now = time.monotonic()
        shots.append((now - t0, h))
        if h != last:
            last, last_change = h, now
        elif h != blank and now - last_change > SETTLE:
            break
    first = next((t for t, h in shots if h == last), None) if last != blank else None
    # A program that is already gone has no memory to measure: it is left
    # out of the figures (and its output kept) rather than counted as 0.
    if proc.poll() is not None:
        out, _ = proc.communicate()
        print(f'{cmd[0]} exited with {proc.returncode} before it was measured: {out[-200:]}',
              file=sys.stderr)
        return {'first_frame_ms': None, 'pss_kib': None, 'processes': None, 'output': out[-400:]}
    memory, n_procs = pss_kib(proc.pid)
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return {'first_frame_ms': None if first is None else first * 1000, 'pss_kib': memory,
            'processes': n_procs, 'output': out[-400:]}


def self_timed(cmd, env_extra, pattern):
    """Runs CMD until it exits after its first frame: its own report, and the
    time from the spawn until that report reached us (linking included)."""
    env = dict(os.environ, DISPLAY=DISPLAY, NO_AT_BRIDGE='1', **env_extra)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    self_ms = spawn_ms = None
    output = []
    for line in proc.stdout:
        output.append(line)
        m = re.search(pattern, line)
        if m and self_ms is None:
            spawn_ms = (time.monotonic() - t0) * 1000
            self_ms = float(m.group(1))
    proc.wait(timeout=60)
    if self_ms is None:
        print(f'{cmd[0]} reported no first frame: {"".join(output)[-200:]}', file=sys.stderr)
    return {'self_ms': self_ms, 'spawn_to_first_frame_ms': spawn_ms}


def kiosk_self_timed(kiosk, data_dir):
    """The kiosk on DATA_DIR, quitting after its first frame: see self_timed()."""
    return self_timed([kiosk, '--data-dir', data_dir], {'SAPHAN_KIOSK_EXIT_AFTER_FIRST_FRAME': '1'},
                      r'first frame presented after ([\d.]+) ms')


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {'n': len(values), 'min': min(values), 'median': statistics.median(values),
            'max': max(values)}


def main():
    kiosk, minimal, html, runs = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3]), int(sys.argv[4])
    xvfb = subprocess.Popen(['Xvfb', DISPLAY, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
                            stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    chromium = shutil.which('chromium')
    # A blinking text cursor would keep the screen from ever settling, and
    # the theme's transitions (the focus ring fading in around the minimal
    # window's entry takes some 300 ms) would date the first frame by the
    # end of an animation rather than by when the view was ready: GTK's
    # blink and animations are switched off through its settings file, for
    # both GTK programs alike (the page in Chromium has no focused field).
    config = tempfile.mkdtemp(prefix='saphan-bench-config-')
    os.makedirs(os.path.join(config, 'gtk-4.0'))
    with open(os.path.join(config, 'gtk-4.0', 'settings.ini'), 'w') as f:
        f.write('[Settings]\ngtk-cursor-blink=false\ngtk-enable-animations=false\n')
    os.environ['XDG_CONFIG_HOME'] = config
    results = {'kiosk': [], 'kiosk_self': [], 'kiosk_installed': [], 'kiosk_installed_self': [],
               'kiosk_form': [], 'minimal': [], 'minimal_self': [], 'chromium': []}
    # A kiosk in service starts on the data folder it has used before; one
    # start that is not counted installs the services into this one.
    installed = tempfile.mkdtemp(prefix='saphan-bench-installed-')
    kiosk_self_timed(kiosk, installed)
    try:
        for i in range(runs):
            data = tempfile.mkdtemp(prefix='saphan-bench-kiosk-')
            # Each run starts from nothing: a fresh data folder (the kiosk
            # installs its demo forms on first start, as on a new kiosk) and,
            # for Chromium, a fresh profile.
            results['kiosk'].append(run([kiosk, '--data-dir', data], {}))
            shutil.rmtree(data, ignore_errors=True)
            data = tempfile.mkdtemp(prefix='saphan-bench-kiosk-')
            results['kiosk_self'].append(kiosk_self_timed(kiosk, data))
            shutil.rmtree(data, ignore_errors=True)
            results['kiosk_installed'].append(run([kiosk, '--data-dir', installed], {}))
            results['kiosk_installed_self'].append(kiosk_self_timed(kiosk, installed))
            # What Chromium is compared with: the kiosk showing the same
            # form, opened at start as a kiosk of one service does.
            results['kiosk_form'].append(run([kiosk, '--data-dir', installed, '--form',
                                              'elderly_allowance'], {}))
            results['minimal'].append(run([minimal], SAME_RENDERER))
            results['minimal_self'].append(self_timed(
                [minimal], dict(SAME_RENDERER, BENCH_EXIT_AFTER_FIRST_FRAME='1'),
                r'first frame after ([\d.]+) ms'))
            if chromium:
                profile = tempfile.mkdtemp(prefix='saphan-bench-chromium-')
                results['chromium'].append(run(
                    [chromium, '--kiosk', '--no-sandbox', '--disable-gpu', '--no-first-run',
                     '--disable-background-networking', '--disable-component-update',
                     '--disable-sync', '--password-store=basic', f'--user-data-dir={profile}',
                     'file://' + html], {}))
                shutil.rmtree(profile, ignore_errors=True)
    finally:
        shutil.rmtree(installed, ignore_errors=True)
        shutil.rmtree(config, ignore_errors=True)
        xvfb.terminate()
        xvfb.wait()

    out = {'runs': runs, 'screen': '1280x800x24 Xvfb', 'raw': results}
    for name in ('kiosk', 'kiosk_installed', 'kiosk_form', 'minimal', 'chromium'):
        out[name] = {'first_frame_ms': summary([r['first_frame_ms'] for r in results[name]]),
                     'pss_mib': summary([r['pss_kib'] / 1024 for r in results[name]
                                         if r['pss_kib'] is not None]),
                     'processes': summary([r['processes'] for r in results[name]])}
    for name in ('kiosk_self', 'kiosk_installed_self', 'minimal_self'):
        out[name] = {'self_ms': summary([r['self_ms'] for r in results[name]]),
                     'spawn_to_first_frame_ms': summary([r['spawn_to_first_frame_ms']
                                                         for r in results[name]])}
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
