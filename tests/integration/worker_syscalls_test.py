#!/usr/bin/env python3
"""System calls a kept connection costs hello.fcgi per request, counted with strace -c (counts,
not timings): with one thread (the default) a request on a kept connection is one recv and one
send, and the connection is never re-armed (no epoll_ctl per request) nor read again after a
complete request (no recv that finds nothing); a request that arrives with its connection and
does not keep it is answered and closed without the connection ever entering the epoll set. With
--threads 2 the answers stay the same.
Usage: worker_syscalls_test.py HELLO_FCGI. Exits 77 (skipped) without strace or ptrace."""
import os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_client import *  # noqa: E402,F403

check = Checks()
N = 200


def start_tracer(w, out):
    tracer = subprocess.Popen(['strace', '-c', '-f', '-q', '-o', out, '-p', str(w.proc.pid)],
                              stderr=subprocess.PIPE)
    for _ in range(200):  # attached once every thread of the worker is traced
        tasks = os.listdir(f'/proc/{w.proc.pid}/task')
        traced = [t for t in tasks
                  if 'TracerPid:\t0' not in open(f'/proc/{w.proc.pid}/task/{t}/status').read()]
        if len(traced) == len(tasks) or tracer.poll() is not None:
            break
        time.sleep(0.05)
    if tracer.poll() is not None:
        print('SKIP: strace cannot attach: ' + tracer.stderr.read().decode(errors='replace'))
        sys.exit(77)
    return tracer


def read_counts(tracer, out):
    tracer.send_signal(2)
    tracer.wait(30)
    counts = {}
    for line in open(out):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] not in ('total', 'syscall'):
            counts[f[-1]] = int(f[3])
    return counts


def wait_stopped(pid):
    """Until the worker is in a stop (T, or t under the tracer): a SIGSTOP is only queued when
    kill() returns."""
    for _ in range(400):
        with open(f'/proc/{pid}/stat') as f:
            if f.read().rsplit(')', 1)[1].split()[0] in ('T', 't'):
                return
        time.sleep(0.01)
    raise RuntimeError('the worker did not stop on SIGSTOP')


def fresh_connections(w):
    """N requests, each on its own connection without keep-alive, all sent while the worker is
    stopped (so each is there when its connection is accepted), counted with strace -c.
    The tracer attaches to the running worker first, as in traced_counts: attaching to a
    stopped one raced with the SIGCONT (strace had seized the threads but not yet set them
    to stop at system calls, and counted nothing)."""
    out = os.path.join(w.dir, 'strace-fresh.out')
    tracer = start_tracer(w, out)
    socks = []
    try:
        os.kill(w.proc.pid, 19)  # SIGSTOP
        wait_stopped(w.proc.pid)
        for _ in range(N // 4):
            s = w.connect()
            s.sendall(request('/'))
            socks.append(s)
    finally:
        os.kill(w.proc.pid, 18)  # SIGCONT
    ok = sum(status(response(s)) == 200 for s in socks)
    for s in socks:
        s.close()
    check(f'{len(socks)} requests on fresh connections answered', ok == len(socks), ok)
    return read_counts(tracer, out)


def traced_counts(w):
    """N requests in turn on one kept connection while strace -c -f counts the worker's calls."""
    s = w.connect()
    s.sendall(request('/', keep=True))  # accepted and served once before tracing starts
    check('warm-up request answered', status(response(s)) == 200)
    out = os.path.join(w.dir, 'strace.out')
    tracer = start_tracer(w, out)
    try:
        ok = 0
        for _ in range(N):
            s.sendall(request('/', keep=True))
            ok += status(response(s)) == 200
        check(f'{N} requests on one kept connection answered', ok == N, ok)
    except BaseException:
        read_counts(tracer, out)
        raise
    return read_counts(tracer, out)


def main(hello):
    if shutil.which('strace') is None:
        print('SKIP: strace not installed (./run test installs it)')
        sys.exit(77)
    w = Worker(hello)
    try:
        c = traced_counts(w)
        print(f'figure: one thread, {N} kept requests: {c}', flush=True)
        check('one thread: one recv per request (none that finds nothing)',
              c.get('recvfrom', 0) + c.get('read', 0) <= N + 2, c)
        check('one thread: one send per request', c.get('sendto', 0) + c.get('write', 0) <= N + 2, c)
        check('one thread: no epoll_ctl per request (the connection stays armed)',
              c.get('epoll_ctl', 0) <= 2, c)
        c = fresh_connections(w)
        print(f'figure: one thread, {N // 4} requests on fresh connections: {c}', flush=True)
        check('fresh connections: each accepted, answered and closed outside the epoll set',
              c.get('accept4', 0) >= N // 8 and c.get('epoll_ctl', 0) <= N // 20, c)
    finally:
        w.stop()
    w = Worker(hello, '--threads', '2')
    try:
        c = traced_counts(w)
        print(f'figure: two threads, {N} kept requests: {c}', flush=True)
        check('two threads: one recv and one send per request',
              c.get('recvfrom', 0) <= N + 2 and c.get('sendto', 0) <= N + 2, c)
    finally:
        w.stop()
    sys.exit(1 if check.failures else 0)


if __name__ == '__main__':
    main(sys.argv[1])
