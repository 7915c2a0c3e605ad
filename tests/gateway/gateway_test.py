#!/usr/bin/env python3
"""cgi-gateway real-process tests, one CTest test per case (see CMakeLists.txt):
  gateway_test.py --gateway BIN --scripts DIR [--cgi-fcgi PATH] CASE
Each case starts its own gateway on 127.0.0.1 (port chosen by the gateway), checks the
responses, the log and that no child is left unreaped, and kills everything it started."""
import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from gwharness import Gateway, alive, children_of, wait_until

ARGS = None


def gateway(*args, **kw):
    return Gateway(ARGS.gateway, ARGS.scripts, args, **kw)


def expect_status(gw, script, status, **kw):
    r = gw.request(script, **kw)
    assert r.status == status, f"{script} {kw}: expected {status}, got {r!r}"
    return r


def still_serves(gw):
    r = expect_status(gw, "/cgi-bin/hello.sh", 200)
    assert r.body == b"hello from cgi\n", r


def case_basic():
    with gateway().wait_listening() as gw:
        still_serves(gw)
        r = expect_status(gw, "/cgi-bin/status404.sh", 404)
        assert r.headers["x-test"] == "yes" and r.body == b"not here\n", r
        r = expect_status(gw, "/cgi-bin/redirect.sh", 302)
        assert r.headers["location"] == "http://example.com/elsewhere", r
        r = expect_status(gw, "/cgi-bin/localredir.sh", 200)
        assert r.headers["x-accel-redirect"] == "/cgi-bin/hello.sh", r
        expect_status(gw, "/cgi-bin/sub/deep.sh", 200)
        expect_status(gw, "/cgi-bin/alias.sh", 200)  # symlink inside the directory: allowed
        if ARGS.cgi_fcgi:  # the same through libfcgi's own client
            env = {"SCRIPT_NAME": "/cgi-bin/hello.sh", "REQUEST_METHOD": "GET"}
            out = subprocess.run([ARGS.cgi_fcgi, "-bind", "-connect", f"127.0.0.1:{gw.port}"],
                                 env=env, capture_output=True, timeout=30).stdout
            assert out.startswith(b"Status: 200 OK\r\n") and out.endswith(b"hello from cgi\n"), out
        gw.assert_no_zombies()


def case_traversal():
    with gateway().wait_listening() as gw:
        attempts = [
            ("/cgi-bin/../outside/evil.sh", "", (403, 404)),
            ("/cgi-bin/%2e%2e/outside/evil.sh", "", (403,)),      # not decoded by nginx
            ("/cgi-bin/%2E%2E/outside/evil.sh", "", (403,)),
            ("/cgi-bin/..%2foutside/evil.sh", "", (403,)),         # encoded slash
            ("/cgi-bin/%2e%2e%2foutside%2fevil.sh", "", (403,)),
            ("/cgi-bin/sub%2fdeep.sh", "", (403,)),
            ("/cgi-bin/hello.sh", "/../../outside/evil.sh", (403,)),  # in PATH_INFO
            ("/cgi-bin/escape.sh", "", (403,)),                     # symlink out of the dir
            ("/cgi-bin/escdir/evil.sh", "", (403,)),                # symlinked dir out
            ("/cgi-bin/.hidden.sh", "", (404,)),                    # dotfile
            ("/cgi-bin/noexec.sh", "", (403,)),                     # not executable
            ("/cgi-bin/sub", "", (403,)),                           # directory
            ("/cgi-bin/", "", (403,)),
            ("/cgi-bin//hello.sh", "", (403,)),                     # empty segment
            ("/cgi-bin/./hello.sh", "", (403,)),
            ("/cgi-bin/missing.sh", "", (404,)),
            ("/etc/passwd", "", (404,)),                            # outside the prefix
        ]
        for script, path_info, allowed in attempts:
            r = gw.request(script, path_info=path_info)
            assert r.status in allowed, f"{script}{path_info}: {r!r}"
            assert b"EVIL RAN" not in r.raw and b"NOEXEC RAN" not in r.raw, r
        # SCRIPT_NAME empty: the gateway falls back to DOCUMENT_URI, same rules.
        r = gw.request("", extra={"DOCUMENT_URI": "/cgi-bin/../outside/evil.sh"})
        assert r.status in (403, 404), r
        assert not os.path.exists(os.path.join(gw.state, "EVIL_RAN")), "a script outside ran"
        assert "client error: 403" in gw.log() and "client error: 404" in gw.log()
        still_serves(gw)
        gw.assert_no_zombies()


def case_faults():
    with gateway().wait_listening() as gw:
        for script, why in [("crash.sh", "no output before exit (exit status 3)"),
                            ("badheader.sh", "bad CGI header: malformed header line"),
                            ("crheader.sh", "bad CGI header: bare CR"),
                            ("noblank.sh", "output ended before the blank line"),
                            ("bigheader.sh", "header block longer than"),
                            ("badinterp.sh", "cannot run")]:
            r = expect_status(gw, "/cgi-bin/" + script, 502)
            assert b"Set-Cookie" not in r.raw, r
            assert why in gw.log(), f"log does not say '{why}':\n{gw.log()}"
            still_serves(gw)
        gw.assert_no_zombies()


def case_timeout():
    with gateway("--cgi-timeout", "2").wait_listening() as gw:
        t0 = time.monotonic()
        expect_status(gw, "/cgi-bin/hang.sh", 504, timeout=20)
        assert time.monotonic() - t0 < 15
        pids = [int(p) for p in open(os.path.join(gw.state, "hang.pids")).read().split()]
        assert wait_until(lambda: not any(alive(p) for p in pids), 5), f"group not killed: {pids}"
        assert "exceeded --cgi-timeout 2s, process group killed" in gw.log(), gw.log()
        still_serves(gw)
        # Timeout after the head was sent: the connection is broken (no FCGI_END_REQUEST), so
        # nginx cannot pass a truncated body off as complete.
        try:
            r = gw.request("/cgi-bin/headhang.sh", timeout=20)
            raise AssertionError(f"truncated response ended normally: {r!r}")
        except ConnectionError:
            pass
        assert "response truncated" in gw.log(), gw.log()
        gw.assert_no_zombies()


def case_stall():
    """A peer that stops mid-request (in the params, or in the body) holds the gateway's one
    thread --read-timeout at most: then the connection is closed, nothing runs, a log line says
    so, and the next request is served. A peer that dribbles a byte at a time gets no more."""
    from gwharness import _connect, _record, cgi_params
    from fcgi_client import PARAMS as P, STDIN as S, begin, nv
    with gateway("--threads", "1", "--read-timeout", "2").wait_listening() as gw:
        params = cgi_params("/cgi-bin/echo.sh", method="POST", body=b"x" * 100)
        whole = b"".join(nv(k, v) for k, v in params.items())
        missing = b"".join(nv(k, v) for k, v in cgi_params(
            "/cgi-bin/missing.sh", method="POST", body=b"x" * 100).items())
        stalls = {
            "params": begin() + _record(P, whole)[:40],
            "body": begin() + _record(P, whole) + _record(P, b"") + _record(S, b"x" * 10),
            # answered 404 at once, then the rest of its body is drained: the deadline still holds
            "body after an early answer":
                begin() + _record(P, missing) + _record(P, b"") + _record(S, b"x" * 10),
        }
        for n, (what, sent) in enumerate(stalls.items(), 1):
            sock = _connect(gw.port, 30)
            try:
                sock.sendall(sent)
                t0 = time.monotonic()
                dribble = what == "params"  # keeps sending, a byte at a time, until closed
                closed = False
                while not closed and time.monotonic() - t0 < 25:
                    try:
                        if dribble:
                            sock.sendall(b"\0")
                        sock.settimeout(0.3)
                        closed = sock.recv(4096) == b""
                    except socket.timeout:
                        pass
                    except OSError:
                        closed = True
                assert closed, f"{what}: the stalled connection was not closed"
            finally:
                sock.close()
            assert wait_until(lambda: gw.log().count("did not arrive whole") >= n, 5), gw.log()
            still_serves(gw)  # the one thread is free again
        assert gw.log().count("did not arrive whole within --read-timeout 2s") == 3, gw.log()
        assert "echo.sh pid" not in gw.log(), "a request that never arrived whole was run"
        gw.assert_no_zombies()


def case_echo_5mib():
    body = os.urandom(5 * 1024 * 1024)
    digest = hashlib.sha256(body).hexdigest()
    # A unix socket, like nginx's upstream here: small socket buffers, so a gateway that writes
    # output before it has read the whole body deadlocks against a sequential client.
    with gateway(unix=True).wait_listening() as gw:
        for sequential in (False, True):  # True: like nginx, whole request before any reading
            r = expect_status(gw, "/cgi-bin/echo.sh", 200, method="POST", body=body, timeout=60,
                              sequential=sequential)
            assert len(r.body) == len(body), (sequential, len(r.body))
            assert hashlib.sha256(r.body).hexdigest() == digest
        if ARGS.cgi_fcgi:
            env = {"SCRIPT_NAME": "/cgi-bin/echo.sh", "REQUEST_METHOD": "POST",
                   "CONTENT_LENGTH": str(len(body))}
            out = subprocess.run([ARGS.cgi_fcgi, "-bind", "-connect", gw.unix_path],
                                 env=env, input=body, capture_output=True, timeout=60).stdout
            assert hashlib.sha256(out.partition(b"\r\n\r\n")[2]).hexdigest() == digest
        still_serves(gw)
        gw.assert_no_zombies()


def case_big_output():
    with gateway().wait_listening() as gw:
        r = expect_status(gw, "/cgi-bin/bigout.sh", 200, timeout=60)
        assert r.body == b"\0" * (8 * 1024 * 1024), len(r.body)
        gw.assert_no_zombies()


def case_stderr_log():
    with gateway().wait_listening() as gw:
        r = expect_status(gw, "/cgi-bin/stderr.sh", 200)
        assert r.fcgi_stderr == b"", "stderr must not go to the FastCGI err stream"
        log = gw.log()
        lines = [l for l in log.splitlines() if "stderr.sh pid " in l and " stderr " in l]
        assert any(l.endswith(": first stderr line") for l in lines), log
        assert any(l.endswith(": last line without newline") for l in lines), log
        messages = [l.split("stderr.sh pid ", 1)[1].split(": ", 1)[1] for l in lines]
        assert sum(m.count("x") for m in messages) == 20000, "long stderr line truncated"
        assert lines and all("req=" in l for l in lines)


def case_log_caps():
    """What the client sent reaches the log capped (200 bytes, then "...(N bytes)") and escaped
    (bytes outside printable ASCII and the backslash as \\xNN)."""
    with gateway().wait_listening() as gw:
        long_name = "/cgi-bin/" + "a" * 5000 + ".sh"
        expect_status(gw, long_name, 404)
        expect_status(gw, "/cgi-bin/caf\u00e9\u009b.sh", 404)   # UTF-8 c3 a9, C1 CSI c2 9b
        dotfile = ".x\\x0a" + "b" * 300  # a dotfile: the reason quotes the segment
        expect_status(gw, "/cgi-bin/" + dotfile, 404)
        expect_status(gw, "/cgi-bin/\x1b[2J.sh", 403)
        assert wait_until(lambda: gw.log().count("client error:") >= 4, 10), gw.log()
        with open(gw.log_path, "rb") as f:
            raw = f.read()
        lines = [l for l in raw.split(b"\n") if b"client error:" in l]
        assert len(lines) == 4, raw
        assert all(len(l) < 1000 for l in lines), [len(l) for l in lines]
        assert (b"for /cgi-bin/" + b"a" * 191 + b"...(%d bytes): " % len(long_name)) in lines[0], \
            lines[0]
        assert b"for /cgi-bin/caf\\xc3\\xa9\\xc2\\x9b.sh: " in lines[1], lines[1]
        assert b"dotfile in path: .x\\x5cx0abbb" in lines[2], lines[2]
        reason = "dotfile in path: " + dotfile
        assert (b"...(%d bytes): " % len("/cgi-bin/" + dotfile)) in lines[2], lines[2]
        assert lines[2].endswith(b"...(%d bytes)" % len(reason)), lines[2]
        assert b"for /cgi-bin/\\x1b[2J.sh: control character" in lines[3], lines[3]
        assert not any(c in raw for c in (b"\x1b", b"\xc3", b"\xc2")), raw
        still_serves(gw)


def concurrent(gw, n, query):
    results = [None] * n

    def one(i):
        results[i] = gw.request("/cgi-bin/slow.sh", query=query, timeout=40)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(45)
    return results


def case_concurrency():
    with gateway("--threads", "4").wait_listening() as gw:
        for r in concurrent(gw, 4, "4&15"):
            assert r is not None and r.status == 200, r
            assert r.body == b"seen=4\n", f"requests did not overlap: {r!r}"
        gw.assert_no_zombies()


def case_max_cgi():
    with gateway("--threads", "4", "--max-cgi", "1", "--queue-wait", "20").wait_listening() as gw:
        for r in concurrent(gw, 3, "3&1"):
            assert r is not None and r.status == 200 and r.body == b"seen=1\n", r
    with gateway("--threads", "4", "--max-cgi", "1", "--queue-wait", "0").wait_listening() as gw:
        first = threading.Thread(target=lambda: gw.request("/cgi-bin/slow.sh", query="2&3"))
        first.start()
        running = os.path.join(gw.state, "running")
        assert wait_until(lambda: os.listdir(running), 10)
        r = expect_status(gw, "/cgi-bin/hello.sh", 503)
        assert r.headers.get("retry-after") == "1", r
        first.join(30)
        still_serves(gw)
        gw.assert_no_zombies()


def case_sigterm():
    with gateway().wait_listening() as gw:
        result = {}
        t = threading.Thread(target=lambda: result.update(r=gw.request("/cgi-bin/slow.sh",
                                                                          query="2&2")))
        t.start()
        assert wait_until(lambda: os.listdir(os.path.join(gw.state, "running")), 10)
        gw.proc.send_signal(signal.SIGTERM)
        t.join(30)
        assert result["r"].status == 200 and result["r"].body == b"seen=1\n", result
        assert gw.proc.wait(10) == 0
        assert "stopped: in-flight requests finished" in gw.log()
        try:
            socket.create_connection(("127.0.0.1", gw.port), timeout=2).close()
            raise AssertionError("still accepting after SIGTERM")
        except ConnectionRefusedError:
            pass


def case_fd0():
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    try:
        with gateway(stdin=lsock.fileno(), bind=False) as gw:
            assert wait_until(lambda: "listening on fd 0" in gw.log(), 10), gw.log()
            gw.wait_listening(lsock.getsockname()[1])
            still_serves(gw)
    finally:
        lsock.close()
    with gateway(bind=False) as gw:  # stdin is /dev/null: refuse with a clear message
        assert gw.proc.wait(10) != 0
        assert "fd 0 is not a listening socket" in gw.log(), gw.log()


def case_env():
    with gateway().wait_listening() as gw:
        r = expect_status(gw, "/cgi-bin/env.sh", 200, path_info="/a/b", query="x=1", extra={
            "HTTP_PROXY": "http://evil:3128", "HTTP_USER_AGENT": "gwtest", "LD_PRELOAD": "/x.so",
            "FOO": "bar", "SCRIPT_FILENAME": "/etc/passwd"})
        env = dict(l.split("=", 1) for l in r.body.decode().splitlines() if "=" in l)
        assert env["GATEWAY_INTERFACE"] == "CGI/1.1" and env["REQUEST_METHOD"] == "GET"
        assert env["SCRIPT_NAME"] == "/cgi-bin/env.sh" and env["PATH_INFO"] == "/a/b"
        assert env["PATH_TRANSLATED"] == "/srv/www/a/b" and env["QUERY_STRING"] == "x=1"
        assert env["SCRIPT_FILENAME"] == os.path.realpath(os.path.join(gw.cgi, "env.sh"))
        assert env["HTTP_USER_AGENT"] == "gwtest" and env["SERVER_PORT"] == "8080"
        for banned in ("HTTP_PROXY", "LD_PRELOAD", "FOO"):
            assert banned not in env, banned
        # PATH_INFO split by the gateway itself when nginx sends the whole path as SCRIPT_NAME
        r = expect_status(gw, "/cgi-bin/env.sh/c/d", 200)
        assert b"PATH_INFO=/c/d\n" in r.body and b"SCRIPT_NAME=/cgi-bin/env.sh\n" in r.body, r


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--scripts", required=True)
    ap.add_argument("--cgi-fcgi", default="")
    ap.add_argument("case")
    ARGS = ap.parse_args()
    if ARGS.cgi_fcgi and not os.path.exists(ARGS.cgi_fcgi):
        ARGS.cgi_fcgi = ""
    case = globals().get("case_" + ARGS.case)
    if case is None:
        print("unknown case", ARGS.case)
        return 2
    t0 = time.monotonic()
    case()
    print(f"gateway.{ARGS.case}: ok in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
