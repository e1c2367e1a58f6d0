#!/usr/bin/env python3
"""Gathers the raw benchmark outputs into a table and bench/results.json.

usage: report.py RAW_DIR OUT.json

Each measurement ran several times; every figure is shown as min / median /
max over those runs, so the noise is in plain sight. A ratio is taken between
the medians.
"""
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys


def load(pattern):
    out = []
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            text = f.read().strip()
        if text:
            out.append(json.loads(text))
    return out


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {'min': min(values), 'median': statistics.median(values), 'max': max(values),
            'runs': len(values)}


def series(runs, key, stat):
    return spread([r[key][stat] for r in runs if key in r])


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True).stdout.strip()
        except OSError:
            return ''
    model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    disk = sh('df -hT . | tail -1')
    dev = sh("lsblk -dno NAME,MODEL,ROTA,SIZE 2>/dev/null | head -3 | tr '\\n' ';'")
    return {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'nproc': os.cpu_count(), 'cpu': model, 'memory': mem, 'kernel': platform.release(),
            'disk': disk, 'block_devices': dev,
            'node': sh('node --version'), 'chromium': sh('chromium --version 2>/dev/null'),
            'sqlite': sh('pkg-config --modversion sqlite3'), 'gtk': sh('pkg-config --modversion gtk4')}


def fmt(s, unit='ms'):
    if s is None:
        return 'n/a'
    if s['median'] >= 100:
        f = '{:.0f}'
    elif s['median'] >= 1:
        f = '{:.2f}'
    else:
        f = '{:.3f}'
    return f"{f.format(s['median'])} {unit} ({f.format(s['min'])}–{f.format(s['max'])})"


def ratio(a, b):
    if a is None or b is None or not b['median']:
        return None
    return a['median'] / b['median']


def main():
    raw, out_path = sys.argv[1], sys.argv[2]
    r = {'machine': machine()}
    rows = []

    s9 = load(f'{raw}/forms-bench9-saphan-*.json')
    o9 = load(f'{raw}/forms-bench9-odk-*.json')
    sg = load(f'{raw}/forms-gen-saphan-*.json')
    og = load(f'{raw}/forms-gen-odk-*.json')
    f = r['forms'] = {
        'bench9_load_saphan': series(s9, 'load_first_eval_ms', 'p50'),
        'bench9_load_odk': series(o9, 'load_first_eval_ms', 'p50'),
        'bench9_load_odk_cold': spread([x.get('cold_load_ms') for x in o9]),
        'gen2000_load_saphan': series(sg, 'load_first_eval_ms', 'p50'),
        'gen2000_load_odk': series(og, 'load_first_eval_ms', 'p50'),
        'gen2000_recompute_p50_saphan': series(sg, 'recompute_ms', 'p50'),
        'gen2000_recompute_p99_saphan': series(sg, 'recompute_ms', 'p99'),
        'gen2000_recompute_p50_odk': series(og, 'recompute_ms', 'p50'),
        'gen2000_recompute_p99_odk': series(og, 'recompute_ms', 'p99'),
    }
    f['bench9_ratio'] = ratio(f['bench9_load_saphan'], f['bench9_load_odk'])
    f['gen2000_ratio'] = ratio(f['gen2000_load_saphan'], f['gen2000_load_odk'])
    f['recompute_p99_ratio'] = ratio(f['gen2000_recompute_p99_saphan'], f['gen2000_recompute_p99_odk'])
    rows += [
        ('Form: bench9 load + first eval', fmt(f['bench9_load_saphan']), fmt(f['bench9_load_odk']),
         f['bench9_ratio'], 'target ≤ 0.1×'),
        ('Form: 2,000-question load + first eval', fmt(f['gen2000_load_saphan']),
         fmt(f['gen2000_load_odk']), f['gen2000_ratio'], ''),
        ('Form: recompute after one answer, p50', fmt(f['gen2000_recompute_p50_saphan']),
         fmt(f['gen2000_recompute_p50_odk']),
         ratio(f['gen2000_recompute_p50_saphan'], f['gen2000_recompute_p50_odk']), ''),
        ('Form: recompute after one answer, p99', fmt(f['gen2000_recompute_p99_saphan']),
         fmt(f['gen2000_recompute_p99_odk']), f['recompute_p99_ratio'], 'target p99 < 1 ms'),
    ]

    fin = load(f'{raw}/finalize-*.json')
    d = r['finalize'] = {
        'finalize_p50': series(fin, 'finalize_ms', 'p50'), 'finalize_p99': series(fin, 'finalize_ms', 'p99'),
        'fsync_p50': series(fin, 'fsync_ms', 'p50'), 'fsync_p99': series(fin, 'fsync_ms', 'p99'),
    }
    d['ratio_p50'] = ratio(d['finalize_p50'], d['fsync_p50'])
    d['ratio_p99'] = ratio(d['finalize_p99'], d['fsync_p99'])
    rows += [('Finalize vs write+fsync, p50', fmt(d['finalize_p50']), fmt(d['fsync_p50']),
              d['ratio_p50'], 'floor: the disk'),
             ('Finalize vs write+fsync, p99', fmt(d['finalize_p99']), fmt(d['fsync_p99']),
              d['ratio_p99'], '')]

    sizes = sorted({int(os.path.basename(p).split('-')[1]) for p in glob.glob(f'{raw}/scaling-*.json')})
    r['scaling'] = {}
    for n in sizes:
        runs = load(f'{raw}/scaling-{n}-*.json')
        r['scaling'][str(n)] = {k: series(runs, k, 'p50') for k in
                                ('finalize_ms', 'count_by_state_ms', 'list_queued_ms', 'claim_and_mark_ms')}
        r['scaling'][str(n)]['db_mib'] = spread([x['db_bytes'] / 1048576 for x in runs])
    if len(sizes) == 2:
        small, large = (r['scaling'][str(n)] for n in sizes)
        for k, label in (('finalize_ms', 'finalize'), ('count_by_state_ms', 'count by state'),
                         ('list_queued_ms', 'list 50 queued'), ('claim_and_mark_ms', 'claim + mark')):
            rows.append((f'Scaling p50 {label}: {sizes[0]:,} vs {sizes[1]:,} stored',
                         fmt(small[k]), fmt(large[k]), ratio(large[k], small[k]), 'large / small'))

    ui = load(f'{raw}/ui.json')
    if ui:
        u = ui[0]
        keys = ('kiosk', 'kiosk_installed', 'kiosk_form', 'minimal', 'chromium', 'kiosk_self',
                'kiosk_installed_self', 'minimal_self', 'runs')
        r['ui'] = {k: u[k] for k in keys if k in u}
        conv = lambda s: None if s is None else {'min': s['min'], 'median': s['median'], 'max': s['max']}
        frame = lambda k: conv(u[k]['first_frame_ms'])
        pss = lambda k: conv(u[k]['pss_mib'])
        # Chromium shows the elderly-allowance form: so does the kiosk it is
        # compared with. The minimal window is compared with the start
        # screen of a kiosk that has started before, and of a new one.
        ff, fp, cf, cp = frame('kiosk_form'), pss('kiosk_form'), frame('chromium'), pss('chromium')
        kf, kp, nf, np_ = frame('kiosk_installed'), pss('kiosk_installed'), frame('kiosk'), pss('kiosk')
        mf, mp = frame('minimal'), pss('minimal')
        ks = conv(u['kiosk_installed_self']['spawn_to_first_frame_ms'])
        ms = conv(u['minimal_self']['spawn_to_first_frame_ms'])
        r['ui']['ratios'] = {'first_frame_kiosk_form_vs_chromium': ratio(ff, cf),
                             'pss_kiosk_form_vs_chromium': ratio(fp, cp),
                             'first_frame_installed_kiosk_vs_minimal_gtk': ratio(kf, mf),
                             'first_frame_new_kiosk_vs_minimal_gtk': ratio(nf, mf),
                             'spawn_to_first_frame_installed_kiosk_vs_minimal_gtk': ratio(ks, ms)}
        rows += [('Cold start to the elderly-allowance form (screen)', fmt(ff), fmt(cf), ratio(ff, cf),
                  'kiosk vs Chromium'),
                 ('Memory with that form, PSS of the process tree', fmt(fp, 'MiB'), fmt(cp, 'MiB'),
                  ratio(fp, cp), 'kiosk vs Chromium'),
                 ('Cold start to the services, installed kiosk (screen)', fmt(kf), fmt(mf), ratio(kf, mf),
                  'vs minimal GTK, target ≤ 1.3×'),
                 ('Cold start to the services, new kiosk (screen)', fmt(nf), fmt(mf), ratio(nf, mf),
                  'vs minimal GTK'),
                 ('Spawn to the first paint\'s report, installed kiosk', fmt(ks), fmt(ms),
                  ratio(ks, ms), 'vs minimal GTK'),
                 ('Memory, installed kiosk', fmt(kp, 'MiB'), fmt(mp, 'MiB'), ratio(kp, mp),
                  'vs minimal GTK, target ≤ 75 MB'),
                 ('Memory, new kiosk', fmt(np_, 'MiB'), fmt(mp, 'MiB'), ratio(np_, mp), 'vs minimal GTK')]

    sync_path = os.path.join(raw, 'sync.txt')
    if os.path.exists(sync_path):
        with open(sync_path) as f:
            r['sync_bench_output'] = [l for l in f.read().splitlines()
                                         if not l.startswith('# saphan') and 'GLib-DEBUG' not in l][-30:]

    r['table'] = [{'measure': a, 'saphan': b, 'peer': c, 'ratio': d, 'note': e} for a, b, c, d, e in rows]
    with open(out_path, 'w') as f:
        json.dump(r, f, indent=1, ensure_ascii=False)
        f.write('\n')

    w = max(len(a) for a, *_ in rows) if rows else 10
    print(f"Saphan benchmarks, {r['machine']['date']}: {r['machine']['nproc']} × {r['machine']['cpu']}, "
          f"{r['machine']['memory']}, Linux {r['machine']['kernel']}")
    print('Each figure: median (min–max) over the runs.\n')
    print(f"{'measure':<{w}}  {'Saphan':<28} {'peer':<28} {'ratio':>7}  note")
    for a, b, c, d, e in rows:
        rt = f'{d:.3f}×' if d is not None else 'n/a'
        print(f'{a:<{w}}  {b:<28} {c:<28} {rt:>7}  {e}')
    if r.get('sync_bench_output'):
        print('\nSync (tests/sync/bench-sync):')
        for line in r['sync_bench_output']:
            print('  ' + line)
    print(f'\nwritten: {out_path}')


if __name__ == '__main__':
    main()
