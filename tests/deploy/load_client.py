#!/usr/bin/env python3
# load_client.py URL SECONDS THREADS OUT: GETs URL from THREADS threads for SECONDS and writes one
# line per request to OUT: "START_UNIX_TIME STATUS" (STATUS 0: no HTTP answer at all). For the
# deploy tests that must show which requests failed when (fail-over, reload under load).
import sys
import threading
import time
import urllib.error
import urllib.request

url, seconds, threads, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
end = time.time() + seconds
results = []
lock = threading.Lock()


def worker():
    mine = []
    while True:
        t = time.time()
        if t >= end:
            break
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except Exception:  # connection refused/reset, timeout: no answer
            status = 0
        mine.append((t, status))
    with lock:
        results.extend(mine)


ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(out, "w") as f:
    for t, s in sorted(results):
        f.write(f"{t:.3f} {s}\n")
