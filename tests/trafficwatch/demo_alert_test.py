#!/usr/bin/env python3
"""trafficwatch in the real demo (nginx/demo.sh: nginx + spawn + the apps + the ingest --follow
with its alert engine): a burst of 5xx answers through the demo's nginx (the site app's /boom
route, a 500) fires the demo's error_ratio alert within 5 s of the burst's start (the bound is
part of trafficwatch's specification; the demo evaluates alerts every 500 ms), good traffic
afterwards resolves it, and the notify command ran exactly twice (fire, resolve) with
Alertmanager webhook JSON. The dashboard (/trafficwatch/, loopback only) shows the firing alert.

With --browser it also loads the dashboard in headless Chromium (Debian's chromium) while the
alert fires, checks the DOM for it and keeps a screenshot (path printed) in OUTPUT_DIR.

Usage: demo_alert_test.py SOURCE_DIR BUILD_DIR [--browser OUTPUT_DIR]
Exit 77 (skip) without nginx, or without chromium for --browser. Everything the demo started
is stopped by pid (TERM to demo.sh, then KILL to anything left in its session)."""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

SOURCE, BUILD = sys.argv[1], sys.argv[2]
BROWSER_OUT = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == '--browser' else None
failures = []


def check(name, ok, detail=''):
    print(('ok   ' if ok else 'FAIL ') + name + ('' if ok else ': ' + str(detail)), flush=True)
    if not ok:
        failures.append(name)
    return ok


def wait_for(pred, limit):
    """Polls pred() until it returns something true or `limit` seconds pass."""
    end = time.monotonic() + limit
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_demo(run, out_path):
    """nginx/demo.sh on a free port in its own session, output in out_path: (Popen, port) once it
    says it serves, has exited, or 60 s passed. The port is free when picked, not when the demo's
    nginx binds it: a demo that exits 98 (another process took the port) is started again on a
    new one, as start_demo in tests/support/ports.sh does for the shell tests."""
    for attempt in range(1, 6):
        port = free_port()
        with open(out_path, 'w') as out:
            demo = subprocess.Popen([os.path.join(SOURCE, 'nginx', 'demo.sh'), BUILD, '--port',
                                     str(port)], env=dict(os.environ, FH_DEMO_RUN_DIR=run),
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: 'Ctrl-C stops everything' in open(out_path).read()
                 or demo.poll() is not None, 60)
        if demo.poll() != 98:
            return demo, port
        print('port %d was taken before the demo bound it (try %d)' % (port, attempt), flush=True)
    return demo, port


def get(url, timeout=10):
    """(status, body) of a GET; 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode('utf-8', 'replace')
    except OSError:
        return 0, ''


def session_pids(sid):
    out = subprocess.run(['ps', '-eo', 'pid=,sid=,stat='], capture_output=True, text=True).stdout
    return [int(f[0]) for f in (l.split() for l in out.splitlines())
            if int(f[1]) == sid and not f[2].startswith('Z')]


def notifications(path):
    """[(time the command ran, webhook JSON)] from the demo's notify log."""
    try:
        with open(path) as f:
            lines = f.read().split('\n')[:-1]  # complete lines only: one may be half written
    except FileNotFoundError:
        return []
    out = []
    for l in lines:
        t, _, j = l.partition(' ')
        out.append((float(t), json.loads(j)))
    return out


def browser_check(url, out_dir):
    chromium = shutil.which('chromium')
    os.makedirs(out_dir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix='tw-chromium-')
    try:
        base = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                '--disable-dev-shm-usage', '--user-data-dir=' + profile, '--window-size=1280,1800']
        dom = subprocess.run(base + ['--dump-dom', url], capture_output=True, text=True,
                             timeout=120)
        with open(os.path.join(out_dir, 'dashboard.dom.html'), 'w') as f:
            f.write(dom.stdout)
        check('chromium: the DOM shows the firing alert',
              'class="alert firing critical" data-alertname="errors" data-site="site"' in dom.stdout,
              dom.stdout[-2000:] + dom.stderr[-2000:])
        check('chromium: the DOM has the three SVG charts', dom.stdout.count('<svg class="chart"') == 3)
        shot = os.path.join(out_dir, 'dashboard.png')
        if os.path.exists(shot):
            os.unlink(shot)
        r = subprocess.run(base + ['--screenshot=' + shot, url], capture_output=True, text=True,
                           timeout=120)
        check('chromium: screenshot taken', os.path.getsize(shot) > 10000 if os.path.exists(shot)
              else False, r.stderr[-2000:])
        print('screenshot of the dashboard with the alert firing: ' + shot, flush=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def scenario(base, run):
    notify_log = os.path.join(run, 'logs', 'trafficwatch', 'alerts-notify.log')
    dash = base + '/trafficwatch/'
    check('the dashboard answers on the loopback', wait_for(lambda: get(dash)[0] == 200, 30))
    # The pipeline is live before the burst: good requests reach the site's totals.
    for _ in range(5):
        get(base + '/site/')
    totals = lambda: json.loads(get(base + '/trafficwatch/api/totals?site=site')[1] or '{}')
    if not check('good requests reach the ingest', wait_for(
            lambda: totals().get('requests', 0) >= 5, 30), totals()):
        return
    check('no notification before the burst', notifications(notify_log) == [])

    start = time.time()
    codes = [get(base + '/site/boom')[0] for _ in range(40)]
    check('the burst is 40 x 500 through nginx', codes == [500] * 40, codes)
    fired = wait_for(lambda: notifications(notify_log), 30)
    if not check('the alert fired', len(fired) == 1, fired):
        return
    ran, hook = fired[0]
    print('burst start to notify command: %.2f s' % (ran - start), flush=True)
    check('fired within 5 s of the burst start', ran - start <= 5.0, ran - start)
    check('webhook JSON: firing errors on site', hook.get('status') == 'firing' and
          hook['commonLabels'].get('alertname') == 'errors' and
          hook['commonLabels'].get('site') == 'site', hook)
    page = get(dash)[1]
    check('the dashboard shows it firing',
          'class="alert firing critical" data-alertname="errors" data-site="site"' in page)
    if BROWSER_OUT:
        # More 5xx while Chromium works: the alert keeps firing however long it takes.
        stop = threading.Event()

        def more_errors():
            while not stop.wait(0.25):
                get(base + '/site/boom')
        keep = threading.Thread(target=more_errors)
        keep.start()
        try:
            browser_check(dash, BROWSER_OUT)
        finally:
            stop.set()
            keep.join()

    # Good traffic brings the 5xx share under the threshold; the alert resolves.
    codes = [get(base + '/site/')[0] for _ in range(200)]
    check('200 good requests', codes == [200] * 200, set(codes))

    def resolved():  # more good traffic meanwhile (about 20 requests a second)
        n = notifications(notify_log)
        if len(n) >= 2:
            return n
        get(base + '/site/')
        return None
    both = wait_for(resolved, 90)
    check('the alert resolved', both and both[1][1].get('status') == 'resolved', both)
    time.sleep(3)  # six more evaluations, without traffic: nothing else may be notified
    n = notifications(notify_log)
    check('the notify command ran exactly twice', len(n) == 2, n)
    with open(os.path.join(run, 'logs', 'trafficwatch', 'alerts.log')) as f:
        check('two lines in the alerts log', len(f.read().splitlines()) == 2)
    page = get(dash)[1]
    check('the dashboard history shows it resolved', '<tr class="alert resolved"><td class="state">'
          'resolved</td><td class="alertname">errors</td>' in page, page[-3000:])


def main():
    if not os.access('/usr/sbin/nginx', os.X_OK):
        print('SKIP: nginx (nginx-light) not installed')
        return 77
    if BROWSER_OUT and not shutil.which('chromium'):
        print('SKIP: chromium not installed (Debian package chromium)')
        return 77
    for f in ('apps/trafficwatch/trafficwatch-ingest', 'apps/trafficwatch/trafficwatch.fcgi',
              'apps/site/site.fcgi', 'spawn/spawn'):
        if not os.access(os.path.join(BUILD, f), os.X_OK):
            print('SKIP: %s not built' % f)
            return 77
    tmp = tempfile.mkdtemp(prefix='tw-demo-test-')
    # Started as root, the demo runs the apps, the ingest and nginx's workers unprivileged: they
    # must reach the run dir inside this one.
    os.chmod(tmp, 0o711)
    run = os.path.join(tmp, 'demo')
    out_path = os.path.join(tmp, 'demo.out')
    demo, port = start_demo(run, out_path)
    try:
        started = 'Ctrl-C stops everything' in open(out_path).read()
        print(open(out_path).read(), flush=True)
        if check('the demo started', started and demo.poll() is None):
            check('the demo prints the dashboard URL',
                  'http://127.0.0.1:%d/trafficwatch/' % port in open(out_path).read())
            scenario('http://127.0.0.1:%d' % port, run)
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGTERM)
            try:
                demo.wait(15)
            except subprocess.TimeoutExpired:
                pass
        left = wait_for(lambda: not session_pids(demo.pid), 10) or session_pids(demo.pid)
        check('nothing left running after the demo stopped', left is True, left)
        for p in session_pids(demo.pid):
            os.kill(p, signal.SIGKILL)
        if failures:
            for name in ('logs/trafficwatch/alerts.log', 'logs/trafficwatch/alerts-notify.log',
                         'logs/spawn-apps.log', 'logs/error.log'):
                p = os.path.join(run, name)
                if os.path.exists(p):
                    print('--- ' + name + '\n' + open(p, errors='replace').read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print('FAILED: ' + ', '.join(failures) if failures else 'PASS')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
