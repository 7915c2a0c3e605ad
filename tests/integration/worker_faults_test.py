#!/usr/bin/env python3
"""hello.fcgi under the faults a review found, driven by a minimal FastCGI client (below):
 - SIGTERM while a request is half-received: that request still completes (200), exit 0;
 - --max-requests reached by another thread: the request in flight still completes;
 - idle connections (connect, send nothing) never hold a request thread;
 - SIGTERM with a request already waiting on an idle kept-alive connection: it is served.
Usage: worker_faults_test.py PATH/TO/hello.fcgi. Every worker it starts is killed at the end."""
import os, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_client import Worker, Checks, request, response, status  # noqa: E402

check = Checks()
failures = check.failures


def half_sent_request(w):
    body = b'a=1&b=2222'
    full = request('/echo', 'POST', body, CONTENT_TYPE='application/x-www-form-urlencoded')
    cut = full.index(body) + 5
    s = w.connect()
    s.sendall(full[:cut])
    # The worker has accepted it (a fixed sleep alone could end first on a loaded machine), and
    # has had time to read the part sent: it is now waiting for the rest of this body.
    check('the worker accepted the half-sent request', w.wait_accepted())
    time.sleep(0.5)
    return s, full[cut:]


def term_mid_request(binary):
    w = Worker(binary, '--threads', '2')
    try:
        s, rest = half_sent_request(w)
        w.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        s.sendall(rest)
        check('SIGTERM: the request in flight completes', status(response(s)) == 200)
        check('SIGTERM: worker exits 0', w.proc.wait(10) == 0)
    finally:
        w.stop()


def max_requests_mid_request(binary):
    w = Worker(binary, '--threads', '2', '--max-requests', '1')
    try:
        s, rest = half_sent_request(w)
        f = w.connect()
        f.sendall(request('/'))
        check('max-requests: the other request is served', status(response(f)) == 200)
        time.sleep(0.5)
        s.sendall(rest)
        check('max-requests: the request in flight completes', status(response(s)) == 200)
        check('max-requests: worker exits 0', w.proc.wait(10) == 0)
    finally:
        w.stop()


def idle_connections(binary):
    w = Worker(binary, '--threads', '2')
    try:
        idle = [w.connect() for _ in range(4)]  # more idle connections than threads
        time.sleep(0.3)
        s = w.connect()
        s.sendall(request('/'))
        out = None
        try:
            out = response(s, timeout=5)
        except socket.timeout:
            pass
        check('idle connections do not hold the threads', status(out) == 200)
        for c in idle:
            c.close()
    finally:
        w.stop()


def term_with_request_on_kept_connection(binary):
    w = Worker(binary, '--threads', '1')
    try:
        k = w.connect()
        k.sendall(request('/', keep=True))
        check('keep-alive: first request', status(response(k)) == 200)
        # The next request is already on the kept connection when TERM arrives.
        k.sendall(request('/hello/again', keep=True))
        w.proc.send_signal(signal.SIGTERM)
        out = response(k)
        check('keep-alive: a request waiting at TERM is served', status(out) == 200, out)
        check('keep-alive: worker exits 0', w.proc.wait(10) == 0)
    finally:
        w.stop()


def socket_path_is_not_a_socket(binary):
    d = tempfile.mkdtemp(prefix='fh-worker-faults.')
    precious = os.path.join(d, 'accounts.db')
    with open(precious, 'w') as f:
        f.write('data')
    r = subprocess.run([binary, '--socket', precious], capture_output=True, timeout=10)
    check('--socket on a regular file: refused', r.returncode == 3, r.stderr)
    check('--socket on a regular file: the file is kept', os.path.exists(precious))
    r = subprocess.run([binary, '--socket', os.path.join(d, 'w.sock'), '--threads', '33'],
                       capture_output=True, timeout=10)
    check('--threads past the scoreboard (32): refused', r.returncode == 3 and b'1..32' in r.stderr,
          r.stderr)


if __name__ == '__main__':
    hello = sys.argv[1]
    socket_path_is_not_a_socket(hello)
    term_mid_request(hello)
    max_requests_mid_request(hello)
    idle_connections(hello)
    term_with_request_on_kept_connection(hello)
    sys.exit(1 if failures else 0)
