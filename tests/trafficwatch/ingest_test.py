#!/usr/bin/env python3
"""trafficwatch-ingest end to end: its totals must equal the count kept by the log generator.

The logs (loggen.py) mix in malformed, truncated, escaped-quote, IPv6, >32-bit and huge lines;
the totals are checked across:
 - --once, run twice (nothing counted twice), an unterminated last line (malformed);
 - --once killed with SIGKILL in the middle, again and again, then run to the end;
 - --follow: a log that appears later, partial lines completed later, a rename rotation (the
   old file still written to before the "reopen"), a copytruncate, SIGKILL + restart while
   lines keep coming, and a rotation while the follower is down (the renamed file is drained);
 - alerts: a 5xx burst fires the error_ratio alert and it resolves afterwards; the notify
   command ran exactly twice with Alertmanager webhook JSON, and the alerts log has both lines.
 - the web app as a CGI process (trafficwatch.cgi, if given) answers /api/totals with the same
   JSON as --totals.
Usage: ingest_test.py PATH/TO/trafficwatch-ingest [PATH/TO/trafficwatch.cgi].
Every process it starts is stopped by pid."""
import json, os, random, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loggen import Expected, generate, valid_line  # noqa: E402

BIN = sys.argv[1]
CGI = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
procs = []


def check(name, ok, detail=''):
    print(('ok   ' if ok else 'FAIL ') + name + ('' if ok else ': ' + str(detail)), flush=True)
    if not ok:
        failures.append(name)


def totals(db, site=None):
    cmd = [BIN, '--totals', '--db', db] + (['--site', site] if site else [])
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, timeout=30).stdout)


def wait_for(pred, limit=30.0):
    """Polls pred() until true or `limit` seconds pass; returns its last value."""
    end = time.monotonic() + limit
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.05)


def start(args, log):
    p = subprocess.Popen([BIN] + args, stdout=log, stderr=log)
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM):
    if p.poll() is None:
        os.kill(p.pid, sig)
    try:
        return p.wait(10)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        return p.wait(10)


def write_lines(path, lines, mode='ab'):
    with open(path, mode) as f:
        if lines:
            f.write(b'\n'.join(lines) + b'\n')


def once_twice(d):
    log, db = os.path.join(d, 'shop.log'), os.path.join(d, 'once.db')
    exp, rng = Expected(), random.Random(1)
    lines = generate(20000, rng, 1790000000, exp, huge_every=4999)
    # An unterminated last line: malformed in --once.
    with open(log, 'wb') as f:
        f.write(b'\n'.join(lines) + b'\n' + valid_line(rng, 1790000500)[0])
    exp.malformed += 1
    out = open(os.path.join(d, 'once.out'), 'wb')
    for run in (1, 2):
        rc = start(['--once', '--db', db, log], out).wait(120)
        got = totals(db)
        check('--once run %d exits 0' % run, rc == 0, rc)
        check('--once run %d: totals equal the generator\'s count' % run, got == exp.json(),
              (got, exp.json()))
    check('site from the file name', totals(db, 'shop') == exp.json())
    check('another site is empty', totals(db, 'other')['requests'] == 0)
    # More lines appended later are counted on the next run, the earlier ones not again.
    more = Expected()
    write_lines(log, generate(3000, rng, 1790001000, more))
    exp.add(more)
    start(['--once', '--db', db, log], out).wait(120)
    check('--once after an append counts only the new lines', totals(db) == exp.json(),
          (totals(db), exp.json()))
    if CGI:
        conf = os.path.join(d, 'web.ini')
        with open(conf, 'w') as f:
            f.write('[db]\npath = %s\n' % db)
        env = dict(os.environ, APP_CONFIG_FILE=conf, REQUEST_METHOD='GET',
                   PATH_INFO='/api/totals', QUERY_STRING='site=shop', SCRIPT_NAME='',
                   SERVER_NAME='localhost', SERVER_PORT='80', SERVER_PROTOCOL='HTTP/1.1',
                   REMOTE_ADDR='127.0.0.1')
        r = subprocess.run([CGI], env=env, capture_output=True, timeout=30)
        head, _, body = r.stdout.partition(b'\r\n\r\n') if b'\r\n\r\n' in r.stdout \
            else r.stdout.partition(b'\n\n')
        check('trafficwatch.cgi /api/totals answers 200', head.startswith(b'Status: 200'), r)
        check('trafficwatch.cgi /api/totals equals --totals',
              json.loads(body or b'null') == totals(db, 'shop'), body)


def once_killed(d):
    log, db = os.path.join(d, 'big.log'), os.path.join(d, 'killed.db')
    conf = os.path.join(d, 'small_batches.ini')
    with open(conf, 'w') as f:
        f.write('[ingest]\nbatch_lines = 100\n')
    exp, rng = Expected(), random.Random(2)
    with open(log, 'wb') as f:
        for k in range(3):
            f.write(b'\n'.join(generate(100000, rng, 1790000000 + k * 2000, exp)) + b'\n')
    out = open(os.path.join(d, 'killed.out'), 'wb')
    mid_run_kills = 0
    for attempt in range(10):
        p = start(['--once', '--config', conf, '--db', db, log], out)
        # Kill once some batches are stored but not all (bounded wait; the run may also end).
        wait_for(lambda: p.poll() is not None or
                 0 < totals(db)['requests'] + totals(db)['malformed'] < exp.requests, 60)
        time.sleep(random.Random(attempt).random() * 0.05)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(10)
            got = totals(db)
            if got['requests'] < exp.requests:
                mid_run_kills += 1
        if mid_run_kills >= 3:
            break
    check('SIGKILL landed in the middle of --once at least 3 times', mid_run_kills >= 3,
          mid_run_kills)
    rc = start(['--once', '--config', conf, '--db', db, log], out).wait(300)
    check('--once after the kills exits 0', rc == 0, rc)
    got = totals(db)
    check('after SIGKILLs and a restart: nothing lost, nothing counted twice',
          got == exp.json(), (got, exp.json()))


def follow(d):
    logdir = os.path.join(d, 'logs')
    os.mkdir(logdir)
    log, db = os.path.join(logdir, 'blog.log'), os.path.join(d, 'follow.db')
    conf = os.path.join(d, 'follow.ini')
    with open(conf, 'w') as f:
        f.write('[db]\npath = %s\n[ingest]\npoll_ms = 20\nflush_ms = 50\n'
                'rotate_grace_ms = 300\nbatch_lines = 1000\n[sites]\nblog.log = the-blog\n' % db)
    exp, rng = Expected(), random.Random(3)
    out = open(os.path.join(d, 'follow.out'), 'wb')
    p = start(['--follow', '--config', conf, log], out)
    t = [1790000000]

    def batch(n, **kw):
        t[0] += 10
        return generate(n, rng, t[0], exp, **kw)

    def caught_up(limit=30.0):
        return wait_for(lambda: totals(db, 'the-blog') == exp.json(), limit)

    time.sleep(0.2)
    write_lines(log, batch(2000, huge_every=997))  # the file appears after the start
    check('follow: a file that appears later is read', caught_up(), (totals(db), exp.json()))
    # Partial lines: each written in two pieces with a pause; counted once, when complete.
    for _ in range(3):
        line, status, nbytes = valid_line(rng, t[0])
        with open(log, 'ab') as f:
            f.write(line[:40])
        time.sleep(0.15)
        with open(log, 'ab') as f:
            f.write(line[40:] + b'\n')
        exp.valid(status, nbytes)
    check('follow: partial lines wait for their newline', caught_up(), (totals(db), exp.json()))
    # Rename rotation: the writer keeps appending to the renamed file before it "reopens".
    os.rename(log, log + '.1')
    write_lines(log + '.1', batch(1500))
    time.sleep(0.05)
    write_lines(log, batch(1500))
    check('follow: rename rotation loses nothing', caught_up(), (totals(db), exp.json()))
    # copytruncate (once the follower has read everything: lines written between the copy and
    # the truncation are lost by copytruncate itself, whoever reads the log).
    shutil.copyfile(log, log + '.2')
    os.truncate(log, 0)
    write_lines(log, batch(2500))
    check('follow: copytruncate loses nothing', caught_up(), (totals(db), exp.json()))
    # SIGKILL while lines keep coming, then a restart.
    for k in range(3):
        write_lines(log, batch(3000))
        time.sleep(0.02 * k)
        stop(p, signal.SIGKILL)
        write_lines(log, batch(1000))
        p = start(['--follow', '--config', conf, log], out)
    check('follow: SIGKILL + restart while writing', caught_up(), (totals(db), exp.json()))
    # Rotation while the follower is down, the old file still written to: drained on restart.
    write_lines(log, batch(2000))
    stop(p, signal.SIGKILL)
    os.rename(log, log + '.3')
    write_lines(log + '.3', batch(1000))
    write_lines(log, batch(1000))
    p = start(['--follow', '--config', conf, log], out)
    check('follow: a file rotated while down is drained, then the new one read', caught_up(),
          (totals(db), exp.json()))
    second = subprocess.run([BIN, '--once', '--config', conf, log], capture_output=True,
                            timeout=30)
    check('a second ingest on the same database is refused', second.returncode == 1 and
          b'another trafficwatch-ingest' in second.stderr, second)
    check('follow: SIGTERM stops it with exit 0', stop(p) == 0)
    check('follow: totals after the stop', totals(db) == exp.json(), (totals(db), exp.json()))


def alerts(d):
    log, db = os.path.join(d, 'api.log'), os.path.join(d, 'alerts.db')
    notified, alog = os.path.join(d, 'notified.jsonl'), os.path.join(d, 'alerts.log')
    conf = os.path.join(d, 'alerts.ini')
    with open(conf, 'w') as f:
        f.write('[db]\npath = %s\n[ingest]\npoll_ms = 20\nflush_ms = 100\n'
                '[alerts]\nrules = errors\ncommand = cat >> %s\nlog = %s\n'
                '[rule.errors]\nkind = error_ratio\nwindow = 3\nthreshold = 0.5\n'
                'min_requests = 5\nseverity = critical\n' % (db, notified, alog))
    rng, exp = random.Random(4), Expected()
    out = open(os.path.join(d, 'alerts.out'), 'wb')
    p = start(['--follow', '--config', conf, log], out)

    def notes():
        if not os.path.exists(notified):
            return []
        with open(notified) as f:
            return [json.loads(x) for x in f if x.strip()]

    def traffic(status, until):
        # 20 lines a tick, stamped with the current time, until `until` holds (bounded).
        end = time.monotonic() + 20
        while not until() and time.monotonic() < end:
            write_lines(log, [valid_line(rng, int(time.time()), status=status, plain=True)[0]
                              for _ in range(20)])
            time.sleep(0.1)
        return until()

    def for_seconds(n):
        end = time.monotonic() + n
        return lambda: time.monotonic() > end

    traffic(200, for_seconds(2))
    check('alerts: no alert on healthy traffic', notes() == [], notes())
    burst = time.monotonic()
    check('alerts: a 5xx burst fires', traffic(503, lambda: len(notes()) >= 1), notes())
    print('     (fired %.1f s after the burst started)' % (time.monotonic() - burst))
    check('alerts: it resolves once the 5xx stop', traffic(200, lambda: len(notes()) >= 2),
          notes())
    traffic(200, for_seconds(1.5))  # no further notification may follow
    stop(p)
    n = notes()
    check('alerts: the notify command ran exactly twice', len(n) == 2, n)
    if len(n) == 2:
        f, r = n
        check('alerts: webhook JSON version 4, firing then resolved',
              f['version'] == '4' and f['status'] == 'firing' and r['status'] == 'resolved', n)
        a, b = f['alerts'][0], r['alerts'][0]
        check('alerts: labels and times', a['labels']['alertname'] == 'errors' and
              a['labels']['site'] == 'api' and a['labels']['severity'] == 'critical' and
              a['endsAt'] == '0001-01-01T00:00:00Z' and b['startsAt'] == a['startsAt'] and
              b['endsAt'] >= b['startsAt'], n)
    with open(alog) as f:
        lines = f.read().splitlines()
    check('alerts: the alerts log has a FIRING and a RESOLVED line', len(lines) == 2 and
          ' FIRING ' in lines[0] and ' RESOLVED ' in lines[1], lines)
    hist = subprocess.run(['sqlite3', db, 'SELECT rule, site, ends_at > starts_at FROM alerts'],
                          capture_output=True, text=True).stdout.split()
    check('alerts: history in SQLite', hist == ['errors|api|1'], hist)


def main():
    d = tempfile.mkdtemp(prefix='tw_ingest_')
    try:
        for scenario in (once_twice, once_killed, follow, alerts):
            try:
                scenario(d)
            except Exception as e:  # a scenario that breaks is a failure, the others still run
                check(scenario.__name__ + ' ran to the end', False, repr(e))
    finally:
        for p in procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(10)
        if failures:
            print('kept for inspection: ' + d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    print('%d failure(s)' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
