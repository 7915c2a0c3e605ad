#!/usr/bin/env python3
"""Hostile and unusual FastCGI peers against hello.fcgi (alone, and under spawn -F 2), with the
raw client in fcgi_client.py; the stalled peers and the protocol's corners run against both shapes
of the loop, one thread (the default: connections stay armed) and --threads 2 (one-shot hand-off):
 - 1,000 peers that send BEGIN_REQUEST + one PARAMS record and stall: a normal request is still
   answered at once, the stalled ones are closed at the read deadline and never answered;
 - a params flood (200 MB of one header): 431, and the worker's peak RSS stays small;
 - fd exhaustion: accept backs off (one log line a second, not a spin), idle kept connections are
   closed to make room, and the worker serves again as soon as fds free up;
 - FCGI_GET_VALUES, an unknown role, FCGI_ABORT_REQUEST, two requests pipelined in one write.
Usage: hostile_peers_test.py SPAWN HELLO_FCGI. Everything it starts is killed at the end."""
import os, re, resource, select, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_client import *  # noqa: E402,F403

check = Checks()
STALLED = 1000
# The stalled peers' read deadline: long enough that a normal request answered while they stall
# is told apart from one answered only once they were dropped, even on a loaded machine.
READ_TIMEOUT = 20
ANSWER_BOUND = 15  # s: a normal request among stalled peers (not a speed check: < READ_TIMEOUT)


def raise_own_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def timed_request(port, path='/'):
    t0 = time.monotonic()
    s = connect_tcp(port)
    s.sendall(request(path))
    out = response(s, timeout=30)
    s.close()
    return status(out), time.monotonic() - t0


def stalled_peers(spawn, hello, threads):
    have = raise_own_fd_limit(STALLED + 200)
    if have < STALLED + 100:
        check('stalled peers: enough fds for the test', False, f'RLIMIT_NOFILE {have}')
        return
    d = tempfile.mkdtemp(prefix='fh-hostile.')
    log = open(os.path.join(d, 'spawn.log'), 'w+')
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    # spawn starts with a soft fd limit of 256: 500 stalled peers per worker only fit if spawn
    # and its workers raise it to the hard limit, as they must.
    sp = subprocess.Popen([spawn, '-n', '-a', '127.0.0.1', '-p', '0', '-F', '2', '--', hello,
                           '--threads', threads, '--read-timeout', str(READ_TIMEOUT)],
                          stdout=log, stderr=subprocess.STDOUT,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)))
    peers = []
    try:
        port = None
        end = time.monotonic() + 30
        while time.monotonic() < end:
            m = re.search(r'listening on 127\.0\.0\.1:(\d+)', open(log.name).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if port is None:
            check('stalled peers: spawn started', False, open(log.name).read())
            return
        # Both workers up: a normal request answers.
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                if timed_request(port)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        def soft_fds(pid):
            for line in open(f'/proc/{pid}/limits'):
                if line.startswith('Max open files'):
                    return int(line.split()[3])
        kids = subprocess.run(['pgrep', '-P', str(sp.pid)], capture_output=True, text=True).stdout.split()
        check('fd limit: spawn and its workers raise the soft limit to the hard one',
              soft_fds(sp.pid) == hard and kids and all(soft_fds(k) == hard for k in kids),
              (hard, soft_fds(sp.pid), [soft_fds(k) for k in kids]))
        base = [timed_request(port)[1] for _ in range(5)]
        one_params = begin(1) + rec(PARAMS, params_bytes('/hello/stalled'))
        t_open = time.monotonic()
        for i in range(STALLED):
            s = connect_tcp(port)
            s.sendall(one_params)
            peers.append(s)
        code, took = timed_request(port, '/hello/normal')
        time.sleep(0.5)  # every stalled peer accepted and parked by now
        code2, took2 = timed_request(port, '/hello/normal')
        print(f'figure: normal request right behind {STALLED} stalled connects: {took * 1000:.1f} ms, '
              f'with them held: {took2 * 1000:.1f} ms (without: median {sorted(base)[2] * 1000:.1f} ms)',
              flush=True)
        code = code if code != 200 else code2
        took = max(took, took2)
        # While they stall: every stalled peer is still open (none reached its deadline yet).
        waiting = select.poll()
        for p in peers:
            waiting.register(p, select.POLLIN)
        closed_early = len(waiting.poll(0))
        # Peers may rightly be closed once the deadline passes (a very slow open of them all).
        in_time = time.monotonic() - t_open < READ_TIMEOUT - 1
        check(f'stalled peers: a normal request is answered while {STALLED} peers stall',
              code == 200 and took < ANSWER_BOUND and (closed_early == 0 or not in_time),
              (code, took, f'{closed_early} stalled peers already closed'))
        # Each stalled peer is closed at the deadline with nothing written to it: never run.
        answered, still_open = 0, 0
        deadline = t_open + READ_TIMEOUT + 30
        for s in peers:
            s.setblocking(False)
        pending = list(peers)
        while pending and time.monotonic() < deadline:
            r, _, _ = select.select(pending[:500], [], [], 1)
            for s in r:
                try:
                    data = s.recv(65536)
                except ConnectionResetError:
                    data = b''
                if data:
                    answered += 1
                pending.remove(s)
        still_open = len(pending)
        took_close = time.monotonic() - t_open
        check('stalled peers: every one closed by the read deadline', still_open == 0,
              f'{still_open} still open after {took_close:.1f} s')
        check('stalled peers: none was answered (their partial request never ran)',
              answered == 0, f'{answered} got bytes back')
        check('stalled peers: not closed before the deadline', took_close >= READ_TIMEOUT - 0.5,
              f'{took_close:.1f} s')
        # The workers log after closing, and spawn relays their lines: wait for them (bounded).
        closed = 0
        for _ in range(300):
            text = open(log.name).read()
            closed = sum(int(n) for n in re.findall(r'closed (\d+) connection\(s\) whose request', text))
            if closed >= STALLED:
                break
            time.sleep(0.1)
        check('stalled peers: the workers say they dropped them', closed >= STALLED, closed)
        code, took = timed_request(port, '/hello/after')
        check('stalled peers: served normally afterwards', code == 200, code)
    finally:
        for s in peers:
            s.close()
        sp.terminate()
        try:
            sp.wait(10)
        except subprocess.TimeoutExpired:
            sp.kill()
            sp.wait()


def params_flood(hello):
    w = Worker(hello)
    try:
        s = w.connect()
        chunk = rec(PARAMS, nv('HTTP_X_FLOOD', 'x' * 65000)[:65535])
        s.sendall(begin(1) + rec(PARAMS, params_bytes('/')))
        total = 0
        while total < 200 * 1024 * 1024:
            s.sendall(chunk)
            total += len(chunk)
        s.sendall(rec(PARAMS) + rec(STDIN))
        out = response(s, timeout=30)
        check('params flood: answered 431', status(out) == 431, out[:200] if out else out)
        peak = rss_kib(w.proc.pid)
        print(f'figure: peak RSS after a {total >> 20} MB params flood: {peak} KiB', flush=True)
        check('params flood: peak RSS stays under 64 MiB', peak is not None and peak < 64 * 1024, peak)
        s2 = w.connect()
        s2.sendall(request('/'))
        check('params flood: next request served', status(response(s2)) == 200)
    finally:
        w.stop()


def fd_exhaustion(hello):
    limit = 64
    def low_fds():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    # Idle kept connections would stay 60 s (--idle-timeout): the new request's answer within
    # 15 s (not a speed check) shows they were closed to make room for it.
    w = Worker(hello, '--read-timeout', '3', '--idle-timeout', '60', preexec_fn=low_fds)
    held = []
    try:
        # Kept connections that were served once: idle, the first to go when fds run out.
        for _ in range(limit):
            s = w.connect()
            s.sendall(request('/', keep=True))
            if status(response(s, timeout=15)) != 200:
                break
            held.append(s)
        check('fd exhaustion: served until the fds ran out', len(held) >= limit - 16, len(held))
        t0 = time.monotonic()
        s = w.connect()
        s.sendall(request('/hello/room'))
        out = response(s, timeout=20)
        check('fd exhaustion: idle kept connections make room for a new one',
              status(out) == 200 and time.monotonic() - t0 < 15, (out, time.monotonic() - t0))
        for h in held:
            h.close()
        held = []
        # Peers that connect and send nothing: they hold fds until the read deadline.
        for _ in range(limit + 20):
            held.append(w.connect())
        time.sleep(1.5)
        t0 = time.monotonic()
        s = w.connect()
        s.sendall(request('/hello/recovered'))
        out = response(s, timeout=30)
        took = time.monotonic() - t0
        check('fd exhaustion: served again once fds free up', status(out) == 200, (out, took))
        lines = [l for l in w.log().splitlines() if 'accept: Too many open files' in l]
        check('fd exhaustion: logged, at most once a second', 1 <= len(lines) <= 8, len(lines))
        with open(f'/proc/{w.proc.pid}/stat') as f:
            ticks = sum(int(x) for x in f.read().split(')')[1].split()[11:13])
        check('fd exhaustion: accept did not spin', ticks < 300, f'{ticks} cpu ticks')
    finally:
        for h in held:
            h.close()
        w.stop()


def protocol_records(hello, threads):
    w = Worker(hello, '--threads', threads)
    try:
        s = w.connect()
        s.sendall(rec(GET_VALUES, nv('FCGI_MAX_CONNS', '') + nv('FCGI_MAX_REQS', '') +
                      nv('FCGI_MPXS_CONNS', ''), rid=0))
        s.settimeout(15)
        r = read_record(s, b'')
        values = parse_nv(r[2]) if r and r[0] == GET_VALUES_RESULT else {}
        check('GET_VALUES: answered at once', r is not None and r[0] == GET_VALUES_RESULT, r)
        check('GET_VALUES: true limits', values.get('FCGI_MAX_REQS') == threads and
              values.get('FCGI_MPXS_CONNS') == '0' and int(values.get('FCGI_MAX_CONNS', '0')) > 100,
              values)

        s = w.connect()
        s.sendall(begin(1, AUTHORIZER) + rec(PARAMS, params_bytes('/')) + rec(PARAMS) + rec(STDIN))
        s.settimeout(15)
        r = read_record(s, b'')
        check('unknown role: FCGI_END_REQUEST with FCGI_UNKNOWN_ROLE',
              r is not None and r[0] == END and r[2][4] == 3, r)

        s = w.connect()
        s.sendall(begin(1, keep=True) + rec(PARAMS, params_bytes('/')) + rec(ABORT))
        s.settimeout(15)
        r = read_record(s, b'')
        check('abort: ends the request with FCGI_END_REQUEST and no output',
              r is not None and r[0] == END, r)
        s.sendall(request('/hello/after-abort', keep=True))
        check('abort: the connection serves the next request', status(response(s)) == 200)

        s = w.connect()
        s.sendall(request('/hello/one', keep=True, rid=1) + request('/hello/two', keep=True, rid=2))
        a = response(s, with_id=True)
        b = response(s, with_id=True)
        check('pipelining: both answered, in order',
              a and b and a[0] == 1 and b'Hello, one!' in a[1] and b[0] == 2 and
              b'Hello, two!' in b[1], (a, b))
    finally:
        w.stop()


if __name__ == '__main__':
    spawn, hello = sys.argv[1], sys.argv[2]
    only = sys.argv[3:]
    for name, fn in [('protocol', lambda: protocol_records(hello, '2')),
                     ('protocol1', lambda: protocol_records(hello, '1')),
                     ('flood', lambda: params_flood(hello)),
                     ('fds', lambda: fd_exhaustion(hello)),
                     ('stalled', lambda: stalled_peers(spawn, hello, '2')),
                     ('stalled1', lambda: stalled_peers(spawn, hello, '1'))]:
        if not only or name in only:
            print(f'-- {name}', flush=True)
            try:
                fn()
            except Exception as e:  # a peer that hangs or is reset: that section failed
                check(f'{name}: ran to the end', False, repr(e))
    sys.exit(1 if check.failures else 0)
