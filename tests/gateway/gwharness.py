"""cgi-gateway test harness: a minimal FastCGI client (what nginx sends, nothing more; records
built and read by tests/integration/fcgi_client.py) and Gateway, which starts cgi-gateway on a
scratch CGI directory (127.0.0.1, port picked by the gateway itself) and always kills what it
started. Not responsible for the test cases."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# The FastCGI records come from the tests' one encoder, the raw client of the worker tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from fcgi_client import END, PARAMS, STDERR, STDIN, STDOUT  # noqa: E402
from fcgi_client import begin, nv, read_record, rec  # noqa: E402


def _record(rtype, content):
    return rec(rtype, content, 1, padded=True)


class Response:
    def __init__(self, raw_stdout, stderr):
        self.raw = raw_stdout
        self.fcgi_stderr = stderr
        head, sep, self.body = raw_stdout.partition(b"\r\n\r\n")
        self.headers = {}
        self.status = None
        for line in head.split(b"\r\n") if sep else []:
            name, _, value = line.decode("latin-1").partition(":")
            self.headers[name.strip().lower()] = value.strip()
        if "status" in self.headers:
            self.status = int(self.headers["status"].split()[0])

    def __repr__(self):
        return f"<Response {self.status} {self.raw[:200]!r}>"


def _connect(address, timeout):
    if isinstance(address, str):  # a unix socket path
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    return socket.create_connection(("127.0.0.1", address), timeout=timeout)


def fcgi_request(address, params, body=b"", timeout=30, sequential=False):
    """One FastCGI request over a fresh connection. The body is sent from a thread while the
    response is read, or, with sequential=True, entirely before reading anything (what nginx
    does: it reads no response until the request is sent). Returns a Response; raises on
    protocol trouble."""
    sock = _connect(address, timeout)
    try:
        sock.sendall(begin())
        p = b"".join(nv(k, v) for k, v in params.items())
        for i in range(0, len(p), 65535):
            sock.sendall(_record(PARAMS, p[i:i + 65535]))
        sock.sendall(_record(PARAMS, b""))

        def send_body():
            try:
                for i in range(0, len(body), 65535):
                    sock.sendall(_record(STDIN, body[i:i + 65535]))
                sock.sendall(_record(STDIN, b""))
            except OSError:
                pass  # the gateway may answer (and close) before reading everything

        sender = threading.Thread(target=send_body, daemon=True)
        if sequential:
            send_body()
        else:
            sender.start()
        out, err, buf = bytearray(), bytearray(), b""
        while True:
            r = read_record(sock, buf)
            if r is None:
                raise ConnectionError("connection closed before FCGI_END_REQUEST")
            rtype, _, content, buf = r
            if rtype == STDOUT:
                out += content
            elif rtype == STDERR:
                err += content
            elif rtype == END:
                if not sequential:
                    sender.join(timeout)
                return Response(bytes(out), bytes(err))
    finally:
        sock.close()


def cgi_params(script_name, path_info="", method="GET", query="", extra=None, body=b""):
    """The params nginx's fastcgi_params + fastcgi_split_path_info would send."""
    p = {"GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "nginx", "REQUEST_METHOD": method,
         "QUERY_STRING": query, "SCRIPT_NAME": script_name, "PATH_INFO": path_info,
         "REQUEST_URI": script_name + path_info + ("?" + query if query else ""),
         "DOCUMENT_URI": script_name + path_info, "DOCUMENT_ROOT": "/srv/www",
         "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "5555",
         "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_NAME": "localhost",
         "CONTENT_TYPE": "application/octet-stream" if body else "",
         "CONTENT_LENGTH": str(len(body)) if body else "", "HTTP_HOST": "localhost:8080"}
    p.update(extra or {})
    return p


def children_of(pid):
    """Pids whose parent is `pid` (zombies included), from /proc."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def alive(pid):
    """True if `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def wait_until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Gateway:
    """A running cgi-gateway on a scratch tree:
    root/cgi-bin (the test scripts, plus traps), root/outside (evil.sh), root/state."""

    def __init__(self, binary, scripts, args=(), stdin=None, bind=True, unix=False):
        self.root = tempfile.mkdtemp(prefix="gwtest_")
        self.cgi = os.path.join(self.root, "cgi-bin")
        self.state = os.path.join(self.root, "state")
        os.makedirs(os.path.join(self.state, "running"))
        os.makedirs(os.path.join(self.root, "outside"))
        shutil.copytree(scripts, self.cgi)  # keeps the modes (noexec.sh stays non-executable)
        shutil.copy2(os.path.join(scripts, "evil.sh"), os.path.join(self.root, "outside"))
        os.remove(os.path.join(self.cgi, "evil.sh"))
        shutil.copy2(os.path.join(scripts, "evil.sh"), os.path.join(self.cgi, ".hidden.sh"))
        os.makedirs(os.path.join(self.cgi, "sub"))
        shutil.copy2(os.path.join(scripts, "hello.sh"), os.path.join(self.cgi, "sub", "deep.sh"))
        os.symlink("../outside/evil.sh", os.path.join(self.cgi, "escape.sh"))
        os.symlink("../outside", os.path.join(self.cgi, "escdir"))
        os.symlink("hello.sh", os.path.join(self.cgi, "alias.sh"))
        self.log_path = os.path.join(self.root, "gateway.log")
        cmd = [binary, "--cgi-dir", self.cgi, *args]
        self.unix_path = os.path.join(self.root, "gw.sock") if unix else None
        if unix:
            cmd += ["--socket", self.unix_path]
        elif bind:
            cmd += ["--bind", "127.0.0.1:0"]
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                     stdout=self.log_file, stderr=self.log_file)
        self.port = None

    def wait_listening(self, port=None):
        if self.unix_path:
            if not wait_until(lambda: "listening on unix:" in self.log(), 10):
                raise RuntimeError("gateway did not start:\n" + self.log())
            self.port = self.unix_path
            return self
        if port is None:
            if not wait_until(lambda: "listening on 127.0.0.1:" in self.log(), 10):
                raise RuntimeError("gateway did not start:\n" + self.log())
            line = self.log().split("listening on 127.0.0.1:")[1]
            port = int(line.split(",")[0])
        self.port = port
        return self

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, script_name, **kw):
        body = kw.pop("body", b"")
        timeout = kw.pop("timeout", 30)
        sequential = kw.pop("sequential", False)
        return fcgi_request(self.port, cgi_params(script_name, body=body, **kw), body, timeout,
                            sequential)

    def assert_no_zombies(self):
        ok = wait_until(lambda: not children_of(self.proc.pid), 5)
        assert ok, f"gateway {self.proc.pid} still has children {children_of(self.proc.pid)}"

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        # Anything a CGI script left behind in our scratch tree (hang.sh's sleeper) dies here.
        pids_file = os.path.join(self.state, "hang.pids")
        if os.path.exists(pids_file):
            for pid in open(pids_file).read().split():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if b"sleep" in f.read() and alive(int(pid)):
                            os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            print("---- gateway log ----\n" + self.log())
        self.close()
