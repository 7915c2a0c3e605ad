"""A minimal raw FastCGI client for the worker tests: builds records byte by byte (so a test can
send any part of a request, any record, in any order) and reads records back. Not a library:
just enough protocol to play a hostile or a pipelining peer against our own workers."""
import os, socket, struct, subprocess, tempfile, time

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
RESPONDER, AUTHORIZER, FILTER = 1, 2, 3


def rec(t, content=b'', rid=1, padded=False):
    """One record; padded=True pads the content to a multiple of 8 bytes, as nginx does."""
    pad = (8 - len(content) % 8) % 8 if padded else 0
    return struct.pack('>BBHHBx', 1, t, rid, len(content), pad) + content + b'\0' * pad


def nv(name, value):
    n = name.encode() if isinstance(name, str) else name
    v = value.encode() if isinstance(value, str) else value
    ln = lambda x: bytes([x]) if x < 128 else struct.pack('>I', x | 0x80000000)
    return ln(len(n)) + ln(len(v)) + n + v


def parse_nv(data):
    out, i = {}, 0
    def ln():
        nonlocal i
        if data[i] < 128:
            i += 1
            return data[i - 1]
        i += 4
        return struct.unpack('>I', data[i - 4:i])[0] & 0x7fffffff
    while i < len(data):
        a = ln(); b = ln()
        out[data[i:i + a].decode()] = data[i + a:i + a + b].decode()
        i += a + b
    return out


def begin(rid=1, role=RESPONDER, keep=False):
    return rec(BEGIN, struct.pack('>HB5x', role, 1 if keep else 0), rid)


def params_bytes(path='/', method='GET', body=b'', **extra):
    p = {'REQUEST_METHOD': method, 'PATH_INFO': path, 'SCRIPT_NAME': '', 'QUERY_STRING': '',
         'REQUEST_URI': path, 'CONTENT_LENGTH': str(len(body)), **extra}
    return b''.join(nv(k, v) for k, v in p.items())


def request(path='/', method='GET', body=b'', keep=False, rid=1, **extra):
    out = begin(rid, RESPONDER, keep)
    out += rec(PARAMS, params_bytes(path, method, body, **extra), rid) + rec(PARAMS, b'', rid)
    if body:
        out += rec(STDIN, body, rid)
    return out + rec(STDIN, b'', rid)


def read_record(s, buf):
    """(type, id, content, rest of buf) of the next record, or None if the connection ended."""
    while len(buf) < 8 or len(buf) < 8 + struct.unpack('>H', buf[4:6])[0] + buf[6]:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    t, rid, clen, plen = buf[1], struct.unpack('>H', buf[2:4])[0], struct.unpack('>H', buf[4:6])[0], buf[6]
    return t, rid, buf[8:8 + clen], buf[8 + clen + plen:]


def response(s, timeout=10, with_id=False):
    """The STDOUT of one response (and its request id), or None if the connection ended first."""
    s.settimeout(timeout)
    buf, out = getattr(s, 'fh_buf', b''), b''
    while True:
        r = read_record(s, buf)
        if r is None:
            return None
        t, rid, content, buf = r
        if t == STDOUT:
            out += content
        if t == END:
            try:
                s.fh_buf = buf
            except AttributeError:
                pass
            return (rid, out) if with_id else out


def status(out):
    return int(out.split(b'\r\n', 1)[0].split()[1]) if out else None


class Sock(socket.socket):
    """A socket that keeps bytes read past one response (pipelining)."""
    fh_buf = b''


def connect_unix(path):
    s = Sock(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def connect_tcp(port, host='127.0.0.1'):
    s = Sock(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    return s


def rss_kib(pid, field='VmHWM'):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return None


class Worker:
    """One worker process bound to a unix socket in a private temp dir; killed by stop()."""
    def __init__(self, binary, *args, preexec_fn=None):
        self.dir = tempfile.mkdtemp(prefix='fh-worker-test.')
        self.sock = os.path.join(self.dir, 'w.sock')
        self.err_path = os.path.join(self.dir, 'err')
        self.proc = subprocess.Popen([binary, '--socket', self.sock, *args],
                                     stderr=open(self.err_path, 'w'), preexec_fn=preexec_fn)
        # The socket file appears at bind(), before listen(): ready once a connect succeeds.
        for _ in range(200):
            if os.path.exists(self.sock):
                try:
                    connect_unix(self.sock).close()
                    return
                except (ConnectionRefusedError, FileNotFoundError):
                    pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SystemExit('worker did not start: ' + self.log())

    def connect(self):
        return connect_unix(self.sock)

    def wait_accepted(self, limit=30):
        """True once no connection waits in the worker's accept queue (the Recv-Q that ss shows
        for a listener): every connection made so far is the worker's. False after limit s."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            out = subprocess.run(['ss', '-xlnH', 'src', self.sock], capture_output=True,
                                 text=True).stdout.split()
            if len(out) >= 3 and out[2] == '0':
                return True
            time.sleep(0.05)
        return False

    def log(self):
        with open(self.err_path, errors='replace') as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, name, ok, detail=''):
        print(('ok   ' if ok else 'FAIL ') + name + ('' if ok else ': ' + str(detail)[:2000]),
              flush=True)
        if not ok:
            self.failures.append(name)
