#!/usr/bin/env python3
"""Access-log generator for the trafficwatch tests: nginx lines and their count, by construction.

Lines in the format trafficwatch reads (combined + $request_time + $upstream_response_time), a
known share of them malformed; the count an ingest must reach is kept as they are written,
never by parsing them.
Usage: loggen.py LINES OUT [--seed N] [--plain]  -> writes OUT, prints the expected totals JSON."""
import json, random, sys, time

MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']


def time_local(t):
    g = time.gmtime(t)
    return '%02d/%s/%04d:%02d:%02d:%02d +0000' % (g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year,
                                                  g.tm_hour, g.tm_min, g.tm_sec)


class Expected:
    def __init__(self):
        self.requests = self.malformed = self.bytes = 0
        self.status = {'%dxx' % i: 0 for i in range(6)}

    def valid(self, status, nbytes):
        self.requests += 1
        self.bytes += nbytes
        self.status['%dxx' % (status // 100)] += 1

    def add(self, other):
        self.requests += other.requests
        self.malformed += other.malformed
        self.bytes += other.bytes
        for k in self.status:
            self.status[k] += other.status[k]

    def json(self):
        return {'requests': self.requests, 'malformed': self.malformed, 'bytes': self.bytes,
                'status': self.status}


def valid_line(rng, t, status=None, plain=False):
    """One valid line (bytes, without newline) and its (status, bytes)."""
    kind = 0 if plain else rng.randrange(30)  # 1..6: the special cases below
    addr = '10.%d.%d.%d' % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
    if kind == 1:
        addr = '2001:db8::%x' % rng.randrange(1, 0xffff)
    if kind == 2:
        addr = '::ffff:192.0.2.%d' % rng.randrange(256)
    if status is None:
        status = rng.choice([200] * 20 + [301, 304, 404, 500, 502, 101, 499, 0])
    nbytes = rng.randrange(0, 50000)
    if kind == 3:
        nbytes = 2 ** 32 + rng.randrange(10 ** 12)  # larger than 32 bits
    path = '/p/%d?q=%d' % (rng.randrange(50), rng.randrange(1000))
    ua = 'Mozilla/5.0 (X11; Linux x86_64) test/%d' % rng.randrange(10)
    if kind == 4:
        ua = r'say \"hi\" and \\ back\\'  # escaped quote and backslashes
    if kind == 5:
        ua = '\xff\xfe latin-1 \xe9'  # invalid UTF-8 inside quotes (written as latin-1 bytes)
    if kind == 6:
        ua = 'x' * rng.randrange(2000, 8000)  # a long (but not over-limit) line
    upstream = '0.010' if plain else rng.choice(
        ['0.010', '-', '0.010, 0.004', '0.002 : 0.030', '-, 0.004'])
    line = '%s - - [%s] "GET %s HTTP/1.1" %03d %d "-" "%s" %d.%03d %s' % (
        addr, time_local(t), path, status, nbytes, ua, rng.randrange(3), rng.randrange(1000),
        upstream)
    return line.encode('latin-1'), status, nbytes


def malformed_line(rng, t):
    good, _, _ = valid_line(rng, t, plain=True)
    s = good.decode('latin-1')
    kind = rng.randrange(6)
    if kind == 0:
        return s[:rng.randrange(1, len(s) - 6)].encode('latin-1')  # cut short
    if kind == 1:
        return s.replace(' 200 ', ' 2000 ', 1).replace('"-" "', '"-" "x"y', 1).encode('latin-1')
    if kind == 2:
        return ('999.1.1.1' + s[s.index(' '):]).encode('latin-1')
    if kind == 3:
        return s.replace(' HTTP/1.1"', ' HTTP/1.1\\"', 1).encode('latin-1')  # quote left open
    if kind == 4:
        return b''  # an empty line
    return (s + ' extra').encode('latin-1')


def generate(n, rng, t0, exp, malformed_every=37, huge_every=0, plain=False):
    """n lines (list of bytes), counted into exp."""
    out = []
    for i in range(n):
        t = t0 + i // 50
        if malformed_every and i % malformed_every == malformed_every - 1:
            out.append(malformed_line(rng, t))
            exp.malformed += 1
        elif huge_every and i % huge_every == huge_every - 1:
            # Over trafficwatch's 1 MiB line limit: malformed, skipped whole.
            out.append(b'10.0.0.1 - - [' + time_local(t).encode() + b'] "GET /' +
                       b'h' * (1 << 21) + b' HTTP/1.1" 200 1 "-" "-" 0.001 -')
            exp.malformed += 1
        else:
            line, status, nbytes = valid_line(rng, t, plain=plain)
            out.append(line)
            exp.valid(status, nbytes)
    return out


if __name__ == '__main__':
    n, path = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[sys.argv.index('--seed') + 1]) if '--seed' in sys.argv else 1
    plain = '--plain' in sys.argv
    exp = Expected()
    rng = random.Random(seed)
    with open(path, 'wb') as f:
        chunk = 100000
        for start in range(0, n, chunk):
            lines = generate(min(chunk, n - start), rng, 1790000000 + start // 50, exp,
                             malformed_every=0 if plain else 37, plain=plain)
            f.write(b'\n'.join(lines) + b'\n')
    print(json.dumps(exp.json()))
