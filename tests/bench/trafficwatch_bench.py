#!/usr/bin/env python3
"""trafficwatch's benchmark (run by tests/bench/bench.sh, i.e. `./run bench`): ingest of a
generated 1,000,000-line access log with `trafficwatch-ingest --once`, pinned to one core
(taskset -c 0), side by side in the same run with GoAccess (Debian's goaccess) on the same file
with a log format matching ours; then the time from the start of a 5xx burst written to a
followed log to the run of the alert's notify command (`--follow`, alerts evaluated every
500 ms), over several bursts. Writes a markdown section (OUT_MD) and prints it.

Usage: trafficwatch_bench.py BUILD_DIR WORK_DIR OUT_MD [--lines N] [--reps N] [--bursts N]"""
import json, os, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'trafficwatch'))
from loggen import time_local  # noqa: E402

BUILD, WORK, OUT_MD = (os.path.abspath(a) for a in sys.argv[1:4])
opt = lambda name, d: int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else d
LINES, REPS, BURSTS = opt('--lines', 1000000), opt('--reps', 3), opt('--bursts', 5)
INGEST = os.path.join(BUILD, 'apps', 'trafficwatch', 'trafficwatch-ingest')
# GoAccess reading our format: combined, then $request_time (%T) and the upstream time (skipped).
GOACCESS_FORMAT = '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T %^'


def timed(cmd):
    """(wall s, user+sys s, peak RSS MiB, exit status, stderr) of one command (taskset execs it:
    the rusage is the command's own)."""
    err = open(os.path.join(WORK, 'last.err'), 'w+')
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, p.returncode, err.read()


def pinned(cmd):
    return (['taskset', '-c', '0'] if shutil.which('taskset') else []) + cmd


def ingest_run(log):
    db = os.path.join(WORK, 'tw-bench.db')
    for f in (db, db + '-wal', db + '-shm', db + '.ingest-lock'):
        if os.path.exists(f):
            os.unlink(f)
    wall, cpu, rss, rc, err = timed(pinned([INGEST, '--once', '--db', db, log]))
    if rc != 0:
        raise SystemExit('trafficwatch-ingest failed: ' + err)
    totals = json.loads(subprocess.run([INGEST, '--totals', '--db', db], check=True,
                                       capture_output=True, text=True).stdout)
    return wall, cpu, rss, totals['requests'] + totals['malformed']


def goaccess_run(log):
    out = os.path.join(WORK, 'goaccess.json')
    wall, cpu, rss, rc, err = timed(pinned(
        ['goaccess', log, '--no-global-config', '--no-progress', '--no-query-string',
         '--log-format=' + GOACCESS_FORMAT, '--date-format=%d/%b/%Y', '--time-format=%T', '-o',
         out]))
    if rc != 0:
        raise SystemExit('goaccess failed: ' + err[-2000:])
    g = json.load(open(out))['general']
    return wall, cpu, rss, g['total_requests'], g['valid_requests']


def burst_latencies():
    """Seconds from a burst's first line written to the notify command's run, per burst (each
    burst to its own site's log, so that every one fires its own alert)."""
    d = os.path.join(WORK, 'tw-burst')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    logs = [os.path.join(d, 'b%d.log' % i) for i in range(BURSTS)]
    for path in logs:
        open(path, 'w').close()
    notify = os.path.join(d, 'notify.log')
    with open(os.path.join(d, 'tw.ini'), 'w') as f:
        f.write('[db]\npath = %s/tw.db\n[ingest]\nfiles = %s\npoll_ms = 100\nflush_ms = 250\n'
                '[alerts]\nrules = errors\ncommand = { date +%%s.%%N | tr -d "\\n"; echo; cat '
                '>/dev/null; } >>%s\n[rule.errors]\nkind = error_ratio\nwindow = 20\n'
                'threshold = 0.25\nmin_requests = 20\n' % (d, ' '.join(logs), notify))
    p = subprocess.Popen([INGEST, '--follow', '--config', os.path.join(d, 'tw.ini')],
                         stderr=open(os.path.join(d, 'ingest.err'), 'w'))
    out = []
    try:
        time.sleep(1)  # the follower has opened every (empty) log
        for i, path in enumerate(logs):
            start = time.time()
            with open(path, 'a') as f:
                for k in range(40):
                    f.write('127.0.0.1 - - [%s] "GET /boom HTTP/1.1" 500 10 "-" "bench" 0.001 '
                            '0.001\n' % time_local(int(time.time())))
                    f.flush()
            end = time.monotonic() + 30
            while time.monotonic() < end:
                lines = open(notify).read().split() if os.path.exists(notify) else []
                if len(lines) > i:
                    out.append(float(lines[i]) - start)
                    break
                time.sleep(0.02)
            else:
                raise SystemExit('burst %d fired no alert within 30 s' % i)
    finally:
        p.terminate()
        p.wait(10)
    return out


def main():
    os.makedirs(WORK, exist_ok=True)
    log = os.path.join(WORK, 'tw-bench-%d.log' % LINES)
    if not os.path.exists(log):
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'trafficwatch', 'loggen.py'),
                        str(LINES), log, '--plain', '--seed', '7'], check=True,
                       stdout=subprocess.DEVNULL)
    size_mb = os.path.getsize(log) / 1e6
    load_before = open('/proc/loadavg').read().split()[:3]
    tw, ga = [], ([] if shutil.which('goaccess') else None)
    for _ in range(REPS):  # interleaved: the machine's noise hits both tools alike
        tw.append(ingest_run(log))
        if ga is not None:
            ga.append(goaccess_run(log))
    bursts = burst_latencies()
    load_after = open('/proc/loadavg').read().split()[:3]
    ver = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'goaccess'], capture_output=True,
                         text=True).stdout or 'not installed'
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo')
                if l.startswith('model name')), 'unknown')
    best = lambda runs, i: min(r[i] for r in runs)
    med = lambda runs, i: statistics.median(r[i] for r in runs)
    rows = [('`trafficwatch-ingest --once` (SQLite aggregates, top K, roll-up)', tw, tw[0][3])]
    if ga:
        rows.append(('GoAccess %s (`-o report.json`)' % ver, ga, ga[0][4]))
    md = ['## trafficwatch: log ingest and alert latency', '',
          'Run %s UTC, %s, %d cores online (2 cores shared with other work: noisy), load '
          'average %s before, %s after. Each tool pinned to core 0 (`taskset -c 0`), %d runs '
          'each in the same run, on the same generated %d-line, %.0f MB log '
          '(`tests/trafficwatch/loggen.py %d LOG --plain --seed 7`). lines/s = lines / wall '
          'time of the whole command (best run); CPU = user + sys.' %
          (time.strftime('%Y-%m-%d %H:%M', time.gmtime()), cpu, os.cpu_count(),
           ' '.join(load_before), ' '.join(load_after), REPS, LINES, size_mb, LINES), '',
          '| tool | lines/s (best) | wall s best / median | CPU s best | lines/CPU s | '
          'peak RSS MiB | lines read as valid |', '|---|---:|---:|---:|---:|---:|---:|']
    for name, runs, valid in rows:
        md.append('| %s | %s | %.2f / %.2f | %.2f | %s | %.0f | %d |' % (
            name, format(int(LINES / best(runs, 0)), ','), best(runs, 0), med(runs, 0),
            best(runs, 1), format(int(LINES / best(runs, 1)), ','), max(r[2] for r in runs),
            valid))
    if ga:
        md += ['', 'GoAccess: `goaccess LOG --no-global-config --no-progress --no-query-string '
               '--log-format=\'%s\' --date-format=%%d/%%b/%%Y --time-format=%%T -o report.json` '
               '(paths without their query, as trafficwatch keeps them). It rejects the log\'s '
               'status-000 lines (nginx\'s "no response"), which trafficwatch counts as 0xx. On '
               'this shared, loaded core both tools\' wall times exceed their CPU times; lines per '
               'CPU second compares the work done.' % GOACCESS_FORMAT]
    md += ['', 'Burst start to alert (`--follow`, poll 100 ms, alerts evaluated every 500 ms; '
           '40 lines of 500s appended to a followed log; time until the notify command ran): '
           '%s s over %d bursts (min %.2f, median %.2f, max %.2f). Through the demo\'s nginx the '
           'same path is asserted to stay within 5 s by the `trafficwatch_demo_alert` test.' %
           (', '.join('%.2f' % b for b in bursts), len(bursts), min(bursts),
            statistics.median(bursts), max(bursts)), '']
    os.makedirs(os.path.dirname(OUT_MD), exist_ok=True)
    with open(OUT_MD, 'w') as f:
        f.write('\n'.join(md))
    print('\n'.join(md))


if __name__ == '__main__':
    main()
