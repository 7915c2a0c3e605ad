#!/usr/bin/env python3
"""hello.fcgi under the faults a review found, driven by a minimal FastCGI client (below):
 - SIGTERM while a request is half-received: that request still completes (200), exit 0;
 - --max-requests reached by another thread: the request in flight still completes;
 - idle connections (connect, send nothing) never hold a request thread;
 - SIGTERM with a request already waiting on an idle kept-alive connection: it is served.
Usage: worker_faults_test.py PATH/TO/hello.fcgi. Every worker it starts is killed at the end."""
import os, signal, socket, struct, subprocess, sys, tempfile, time

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def rec(t, content=b''):
    return struct.pack('>BBHHBx', 1, t, 1, len(content), 0) + content


def nv(name, value):
    n, v = name.encode(), value.encode()
    ln = lambda x: bytes([x]) if x < 128 else struct.pack('>I', x | 0x80000000)
    return ln(len(n)) + ln(len(v)) + n + v


def request(path='/', method='GET', body=b'', keep=False, **extra):
    p = {'REQUEST_METHOD': method, 'PATH_INFO': path, 'SCRIPT_NAME': '', 'QUERY_STRING': '',
         'REQUEST_URI': path, 'CONTENT_LENGTH': str(len(body)), **extra}
    out = rec(BEGIN, struct.pack('>HB5x', 1, 1 if keep else 0))
    out += rec(PARAMS, b''.join(nv(k, v) for k, v in p.items())) + rec(PARAMS)
    if body:
        out += rec(STDIN, body)
    return out + rec(STDIN)


def response(s, timeout=10):
    """The STDOUT of one response, or None if the connection ended first."""
    s.settimeout(timeout)
    buf, out = b'', b''
    while True:
        while len(buf) < 8 or len(buf) < 8 + struct.unpack('>H', buf[4:6])[0] + buf[6]:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        t, clen, plen = buf[1], struct.unpack('>H', buf[4:6])[0], buf[6]
        if t == STDOUT:
            out += buf[8:8 + clen]
        buf = buf[8 + clen + plen:]
        if t == END:
            return out


def status(out):
    return int(out.split(b'\r\n', 1)[0].split()[1]) if out else None


class Worker:
    def __init__(self, binary, *args):
        self.dir = tempfile.mkdtemp(prefix='fh-worker-faults.')
        self.sock = os.path.join(self.dir, 'w.sock')
        self.proc = subprocess.Popen([binary, '--socket', self.sock, *args],
                                     stderr=open(os.path.join(self.dir, 'err'), 'w'))
        for _ in range(100):
            if os.path.exists(self.sock):
                return
            time.sleep(0.05)
        raise SystemExit('worker did not start')

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        return s

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


failures = []


def check(name, ok, detail=''):
    print(('ok   ' if ok else 'FAIL ') + name + ('' if ok else ': ' + str(detail)))
    if not ok:
        failures.append(name)


def half_sent_request(w):
    body = b'a=1&b=2222'
    full = request('/echo', 'POST', body, CONTENT_TYPE='application/x-www-form-urlencoded')
    cut = full.index(body) + 5
    s = w.connect()
    s.sendall(full[:cut])
    time.sleep(0.5)  # the worker is now reading this body
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
    check('--socket on a regular file: refused', r.returncode == 2, r.stderr)
    check('--socket on a regular file: the file is kept', os.path.exists(precious))


if __name__ == '__main__':
    hello = sys.argv[1]
    socket_path_is_not_a_socket(hello)
    term_mid_request(hello)
    max_requests_mid_request(hello)
    idle_connections(hello)
    term_with_request_on_kept_connection(hello)
    sys.exit(1 if failures else 0)
