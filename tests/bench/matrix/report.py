#!/usr/bin/env python3
"""report.py: results.csv of a bench run -> docs/benchmarks.md + gnuplot data files.

With --previous (bench.sh --merge, the default with --targets) the rows of earlier runs for the
targets this run did not measure are kept, each row naming its run (column `run`), and the
report lists every run kept with its own machine description (docs/bench/runs/RUN/).

Called by tests/bench/bench.sh (stdlib only). Every number in the report comes from the CSV of
the same run: per target and concurrency the median over the repetitions of req/s, p50 and p99,
the sum of the errors (any error is shown in red, never hidden) and the median RSS per worker.
The goal ratios are computed from those medians and marked met / not met. Every FastCGI target
is also shown as a fraction of the FastCGI limit of its shape (the canned responder's limit-*
target with the same transport, keep-alive setting and process count), and the CGI start-up
table comes from hyperfine (bench.sh measure_startup).
"""
import argparse
import csv
import json
import os
import statistics
from collections import defaultdict

import summary

RED = '<span style="color:red">**{}** ❌</span>'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--csv", required=True)
    p.add_argument("--targets", required=True, help="TSV: name, kind, label (run order)")
    p.add_argument("--skipped", required=True, help="TSV: name, reason")
    p.add_argument("--meta", required=True, help="markdown: machine description")
    p.add_argument("--nginx", required=True, help="the nginx configuration of the run")
    p.add_argument("--locations", help="the locations + fastcgi params of the run")
    p.add_argument("--startup", help="TSV: binary, ms per fork+exec, KiB, linkage")
    p.add_argument("--syscalls", help="syscalls.sh per-request table, counted with strace")
    p.add_argument("--syscalls-perf", help="the same, counted with perf stat")
    p.add_argument("--micro", required=True, help="Google Benchmark JSON (may be missing)")
    p.add_argument("--datadir", required=True, help="where the gnuplot .dat files go")
    p.add_argument("--out", required=True)
    p.add_argument("--command", default="./run bench")
    p.add_argument("--run-id", help="this run's id (UTC start, e.g. 2026-11-22T01:47Z)")
    p.add_argument("--previous", help="merge: the results.csv of earlier runs; their rows for "
                   "targets this run did not measure are kept (with their run id)")
    p.add_argument("--runs-dir", help="per-run inputs (meta.md, targets.tsv, command.txt, "
                   "skipped.tsv) of every run the report shows, one directory per run id")
    p.add_argument("--csv-out", help="where the (merged) CSV goes; default: --csv in place")
    return p.parse_args()


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


class Results:
    """Medians per (target, concurrency) over the repetitions of one run."""

    def __init__(self, rows):
        runs = defaultdict(list)
        for r in rows:
            runs[(r["target"], int(r["concurrency"]))].append(r)
        self.concs = sorted({c for _, c in runs})
        self.cell = {}
        for key, rs in runs.items():
            self.cell[key] = {
                "reps": len(rs),
                "rps": statistics.median(float(r["rps"]) for r in rs),
                "rps_min": min(float(r["rps"]) for r in rs),
                "rps_max": max(float(r["rps"]) for r in rs),
                "p50": statistics.median(int(r["p50_us"]) for r in rs) / 1000.0,
                "p99": statistics.median(int(r["p99_us"]) for r in rs) / 1000.0,
                "p99_max": max(int(r["p99_us"]) for r in rs) / 1000.0,
                "errors": sum(int(r["errors"]) for r in rs),
                "requests": sum(int(r["requests"]) for r in rs),
                "err_detail": {k: sum(int(r["err_" + k]) for r in rs)
                               for k in ("connect", "read", "write", "status", "timeout")},
                "rss_max": statistics.median(int(r["rss_kib_max"]) for r in rs) / 1024.0,
                "workers": max(int(r["workers"]) for r in rs),
                "run": rs[-1].get("run") or "",
            }
        self.rss = {}
        by_target = defaultdict(list)
        for r in rows:
            by_target[r["target"]].append(int(r["rss_kib_max"]))
        for t, v in by_target.items():
            self.rss[t] = statistics.median(v) / 1024.0

    def get(self, target, conc):
        return self.cell.get((target, conc))


def fmt_rps(v):
    return f"{v:,.0f}"


def fmt_ms(v):
    return f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def fmt_errors(cell):
    if cell["errors"] == 0:
        return "0"
    detail = ", ".join(f"{k} {v}" for k, v in cell["err_detail"].items() if v)
    return RED.format(f"{cell['errors']:,}") + f" ({detail})"


def main_tables(res, targets, shapes, out, show_run=False):
    ceiling = "nginx"
    for c in res.concs:
        out.append(f"\n#### {c} connection{'s' if c > 1 else ''}\n")
        out.append("| target | req/s (median) | min–max | × nginx | × FastCGI limit | p50 ms | "
                   "p99 ms | errors | RSS/worker MiB | workers |" + (" run |" if show_run else ""))
        out.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|" +
                   ("---|" if show_run else ""))
        top = res.get(ceiling, c)
        for name, _kind, label in targets:
            cell = res.get(name, c)
            if not cell:
                continue
            vs = f"{cell['rps'] / top['rps']:.2f}" if top and top["rps"] else "–"
            frac = limit_fraction(res, shapes, name, c)
            lim = "–" if frac is None else frac[1]
            out.append(
                f"| `{name}` {label} | {fmt_rps(cell['rps'])} | {fmt_rps(cell['rps_min'])}–"
                f"{fmt_rps(cell['rps_max'])} | {vs} | {lim} | {fmt_ms(cell['p50'])} | "
                f"{fmt_ms(cell['p99'])} | {fmt_errors(cell)} | {cell['rss_max']:.1f} | "
                f"{cell['workers']} |" + (f" {cell['run']} |" if show_run else ""))


# --- the FastCGI limit -------------------------------------------------------------------------
# limit-* targets: the canned FastCGI responder (matrix/canned_fcgi.c) under spawn-fcgi. A FastCGI
# target's shape is (transport, keep-alive, processes); its limit is the limit-* target of the
# same shape, else (marked) one with the same transport and keep-alive and another process count.

def is_limit(name):
    return name.startswith("limit-")


def fcgi_shapes(full, res):
    """{name: (transport, keepalive, processes)} of every FastCGI target (limits included).

    targets.tsv of newer runs names transport and processes; for older runs they are read off
    the name ("-unix") and the measured worker count."""
    shapes = {}
    for name, kind, _label, transport, procs in full:
        if not (kind in ("fcgi", "fcgi-ka", "php")):
            continue
        if not transport:
            transport = "unix" if "-unix" in name else "tcp"
        if not procs:
            procs = max((cell["workers"] for (t, _c), cell in res.cell.items() if t == name),
                        default=0)
        shapes[name] = (transport, kind == "fcgi-ka", int(procs))
    return shapes


def shape_text(shape):
    transport, ka, procs = shape
    return f"{transport}{', keep-alive' if ka else ''}, {procs} processes"


def limit_of(res, shapes, name, conc):
    """(limit target, exact shape match?) measured at conc for a FastCGI target, or None."""
    if name not in shapes or is_limit(name):
        return None
    want = shapes[name]
    exact = [t for t, sh in shapes.items() if is_limit(t) and sh == want and res.get(t, conc)]
    if exact:
        return exact[0], True
    near = sorted((abs(sh[2] - want[2]), t) for t, sh in shapes.items()
                  if is_limit(t) and sh[:2] == want[:2] and res.get(t, conc))
    return (near[0][1], False) if near else None


def limit_fraction(res, shapes, name, conc):
    """(fraction, text for a table cell) of a FastCGI target against its limit, or None."""
    lim = limit_of(res, shapes, name, conc)
    cell = res.get(name, conc)
    if not lim or not cell:
        return None
    top = res.get(lim[0], conc)
    if not top or not top["rps"]:
        return None
    f = cell["rps"] / top["rps"]
    text = f"{f:.2f}" + ("" if lim[1] else f" (vs `{lim[0]}`)")
    if cell["run"] != top["run"]:
        text += " (different runs)"
    return f, text


def limit_section(res, targets, shapes, out):
    names = [n for n, _k, _l in targets if n in shapes and not is_limit(n)
             and any(res.get(n, c) for c in res.concs)]
    limits = [n for n, _k, _l in targets if is_limit(n) and any(res.get(n, c) for c in res.concs)]
    out.append("\n## The FastCGI limit: each FastCGI target as a fraction of it\n")
    if not limits:
        out.append("Not measured in this report: no `limit-*` target ran (the canned FastCGI "
                   "responder, tests/bench/matrix/canned_fcgi.c).\n")
        return
    out.append(
        "Through nginx every FastCGI request costs nginx an upstream exchange, so no backend "
        "reaches `return 200`. The `limit-*` targets measure what is left for a backend: a "
        "canned responder in plain C (tests/bench/matrix/canned_fcgi.c: one epoll loop per "
        "process, no library, reads each request's records through the empty STDIN record and "
        "writes the same bytes every time, keeps the connection only when nginx asks) under "
        "spawn-fcgi, with the transport, keep-alive setting and process count of the targets it "
        "is compared with. A fraction of 1.00 means the backend costs nothing more than the "
        "protocol; the rest of the gap to nginx is nginx and the transport. A fraction marked "
        "`vs limit-…` is against a limit with another process count (none of the same shape "
        "ran).\n")
    out.append("| limit target | shape | " + " | ".join(f"req/s c={c}" for c in res.concs) +
               " | × nginx c=" + str(res.concs[-1]) + " |")
    out.append("|---|---|" + "---:|" * (len(res.concs) + 1))
    for n in limits:
        cells = [res.get(n, c) for c in res.concs]
        top = res.get("nginx", res.concs[-1])
        last = res.get(n, res.concs[-1])
        vs = f"{last['rps'] / top['rps']:.2f}" if top and last and top["rps"] else "–"
        out.append(f"| `{n}` | {shape_text(shapes[n])} | " +
                   " | ".join("–" if not x else f"{fmt_rps(x['rps'])}{' ' + fmt_errors(x) if x['errors'] else ''}"
                              for x in cells) + f" | {vs} |")
    out.append("")
    out.append("| target | shape | limit | " +
               " | ".join(f"fraction c={c}" for c in res.concs) + " | FastCGI / CGI, same endpoint |")
    out.append("|---|---|---|" + "---:|" * len(res.concs) + "---|")
    for n in names:
        fr = [limit_fraction(res, shapes, n, c) for c in res.concs]
        lims = sorted({limit_of(res, shapes, n, c)[0] for c in res.concs
                       if limit_of(res, shapes, n, c)})
        out.append(f"| `{n}` | {shape_text(shapes[n])} | "
                   + (", ".join(f"`{x}`" for x in lims) or "none measured") + " | "
                   + " | ".join("–" if f is None else f[1] for f in fr) + " | "
                   + fcgi_cgi_ratio(res, n) + " |")
    limit_goal(res, shapes, out)


# The shipped shape (nginx/demo.sh: unix socket, keep-alive, default threads) and its goal.
SHIPPED = "fh-fcgi-2-unix-ka"


def limit_goal(res, shapes, out):
    """The shipped hello.fcgi against the limit of its shape: req/s >= 0.9 of it, p99 <= 1.5x
    the limit's p99, no errors, at every concurrency."""
    rows = []
    for c in res.concs:
        cell, lim = res.get(SHIPPED, c), limit_of(res, shapes, SHIPPED, c)
        top = res.get(lim[0], c) if lim else None
        if not cell or not top or not top["rps"] or not top["p99"]:
            continue
        f, p = cell["rps"] / top["rps"], cell["p99"] / top["p99"]
        ok = f >= 0.9 and p <= 1.5 and cell["errors"] == 0
        note = "" if cell["run"] == top["run"] else " (different runs)"
        rows.append(f"| {c} | **{f:.2f}**{note} | {fmt_ms(cell['p99'])} / {fmt_ms(top['p99'])} = "
                    f"**{p:.2f}×** | {fmt_errors(cell)} | {'✅ met' if ok else '❌ not met'} |")
    if not rows:
        return
    out.append(f"\nGoal for the shipped shape, `{SHIPPED}` (hello.fcgi, unix socket, nginx "
               "keep-alive, default threads): at least 0.9 of its limit's req/s, p99 at most 1.5× "
               "the limit's, no errors, at every concurrency.\n")
    out.append("| connections | fraction of the limit | p99 ms ours / limit | errors | verdict |")
    out.append("|---:|---:|---:|---:|---|")
    out.extend(rows)


def fcgi_cgi_ratio(res, name):
    """FastCGI / CGI req/s of the same app endpoint (app-X-fcgi vs app-X-cgi), per concurrency."""
    if not (name.startswith("app-") and name.endswith("-fcgi")):
        return ""
    twin = name[:-len("-fcgi")] + "-cgi"
    parts = []
    for c in res.concs:
        a, b = res.get(name, c), res.get(twin, c)
        if a and b and b["rps"]:
            parts.append(f"c={c}: **{a['rps'] / b['rps']:.1f}×**")
    return (", ".join(parts) + f" (vs `{twin}`)") if parts else f"`{twin}` not measured"


def ratio_row(res, goal, num, den, conc, threshold, out, metric="rps"):
    a, b = res.get(num, conc), res.get(den, conc)
    if not a or not b:
        missing = num if not a else den
        out.append(f"| {goal} | `{num}` / `{den}` | {conc} | – | ≥ {threshold} | "
                   f"not measured (`{missing}` skipped or failed) |")
        return
    r = a[metric] / b[metric] if b[metric] else float("inf")
    met = r >= threshold and a["errors"] == 0
    verdict = "✅ met" if met else "❌ not met"
    if r >= threshold and a["errors"]:
        verdict += f" (ratio ok but {a['errors']} errors)"
    if a["run"] != b["run"]:
        verdict += f" (different runs: {a['run']} / {b['run']})"
    out.append(f"| {goal} | `{num}` / `{den}` | {conc} | **{r:.2f}×** | ≥ {threshold} | {verdict} |")


def stall_row(res, ka, base, conc, out):
    """Keep-alive without the stall: p99 with kept connections ≤ 2× p99 without, 0 errors."""
    a, b = res.get(ka, conc), res.get(base, conc)
    goal = "keep-alive without the stall (p99 ≤ 2× no-keep-alive p99, 0 errors)"
    if not a or not b:
        out.append(f"| {goal} | `{ka}` vs `{base}` p99 | {conc} | – | ≤ 2× | not measured |")
        return
    ok = a["p99"] <= 2 * b["p99"] and a["errors"] == 0
    out.append(f"| {goal} | `{ka}` vs `{base}` p99 | {conc} | **{fmt_ms(a['p99'])} ms** vs "
               f"{fmt_ms(b['p99'])} ms | ≤ {fmt_ms(2 * b['p99'])} ms | "
               f"{'✅ met' if ok else '❌ not met'} |")


def goals(res, out, multi=False):
    cs = res.concs
    out.append("\n## fcgi-host against its goals (ratios from " + ("the medians of each target's run"
               if multi else "this run's medians") + ")\n")
    out.append("A ratio counts as met only if the numerator also had 0 errors." +
               (" Ratios between targets of different runs are marked so." if multi else "")
               + "\n")
    out.append("| goal | ratio | connections | measured | goal | verdict |")
    out.append("|---|---|---:|---:|---:|---|")
    for c in cs:
        ratio_row(res, "FastCGI ≥ plain C libfcgi", "fh-fcgi-2", "c-fcgi-2", c, 1.0, out)
        ratio_row(res, "FastCGI ≥ plain C libfcgi", "fh-fcgi-4", "c-fcgi-4", c, 1.0, out)
        ratio_row(res, "FastCGI ≥ plain C libfcgi", "fh-fcgi-4-unix", "c-fcgi-4-unix", c, 1.0,
                  out)
        ratio_row(res, "FastCGI ≥ plain C libfcgi", "fh-fcgi-4-ka-mt", "c-fcgi-4-ka", c, 1.0,
                  out)
    for c in cs:
        ratio_row(res, "FastCGI ≥ 1.5× PHP-FPM", "fh-fcgi-2", "php-2", c, 1.5, out)
        ratio_row(res, "FastCGI ≥ 1.5× PHP-FPM", "fh-fcgi-4", "php-4", c, 1.5, out)
    for c in cs:
        ratio_row(res, "FastCGI ≥ 5× gunicorn + Flask", "fh-fcgi-2", "flask-2", c, 5.0, out)
        ratio_row(res, "FastCGI ≥ 5× gunicorn + Flask", "fh-fcgi-4", "flask-4", c, 5.0, out)
    for t in ("fh-fcgi-4", "fh-fcgi-4-unix", "fh-fcgi-4-ka", "fh-fcgi-4-ka-mt"):
        ratio_row(res, "FastCGI ≥ 0.6× nginx `return 200`", t, "nginx", 32, 0.6, out)
    for c in cs:
        for ka in ("fh-fcgi-4-ka", "fh-fcgi-4-ka-mt"):
            ratio_row(res, "keep-alive ≈ 2× (ours)", ka, "fh-fcgi-4", c, 1.8, out)
            if c > 1:  # one connection cannot pin a worker: no stall to look for
                stall_row(res, ka, "fh-fcgi-4", c, out)
    for c in cs:
        ratio_row(res, "CGI path ≥ fcgiwrap + plain C CGI", "fh-cgi-gw", "c-cgi-fcgiwrap", c, 1.0,
                  out)
    for c in cs:
        if c == 1 or c >= 32:
            need = 5.0 if c == 1 else 10.0
            for fc in ("fh-fcgi-4", "fh-fcgi-4-unix", "fh-fcgi-4-ka-mt"):
                ratio_row(res, f"FastCGI / CGI same app ≥ {need:g}×", fc, "fh-cgi-gw", c,
                          need, out)
    rss_goals(res, out)


def rss_goals(res, out):
    ours = [t for t in ("fh-fcgi-2", "fh-fcgi-4", "fh-fcgi-4-ka") if t in res.rss]
    php = [t for t in ("php-2", "php-4") if t in res.rss]
    if not ours:
        out.append("| RSS per FastCGI worker ≤ PHP-FPM child, < 10 MiB | – | – | – | – | "
                   "not measured (our FastCGI targets skipped) |")
        return
    worst = max(res.rss[t] for t in ours)
    if php:
        child = min(res.rss[t] for t in php)
        ok = worst <= child
        out.append(f"| RSS per FastCGI worker ≤ a PHP-FPM child's | ours {worst:.1f} MiB / "
                   f"PHP {child:.1f} MiB | all | **{worst / child:.2f}×** | ≤ 1 | "
                   f"{'✅ met' if ok else '❌ not met'} |")
    else:
        out.append("| RSS per FastCGI worker ≤ a PHP-FPM child's | – | – | – | ≤ 1 | "
                   "not measured (PHP-FPM skipped) |")
    out.append(f"| RSS per FastCGI worker < 10 MiB (hello) | ours {worst:.1f} MiB | all | "
               f"**{worst:.1f} MiB** | < 10 MiB | {'✅ met' if worst < 10 else '❌ not met'} |")


def side_by_side(res, rows, title, note, out):
    present = [(n, l) for n, l in rows if any(res.get(n, c) for c in res.concs)]
    if not present:
        return
    out.append(f"\n## {title}\n")
    out.append(note + "\n")
    head = "| connections | " + " | ".join(f"`{n}` req/s · p99 ms · errors" for n, _ in present)
    out.append(head + " |")
    out.append("|---:|" + "---|" * len(present))
    for c in res.concs:
        cells = []
        for n, _ in present:
            cell = res.get(n, c)
            cells.append("–" if not cell else
                         f"{fmt_rps(cell['rps'])} · {fmt_ms(cell['p99'])} · {fmt_errors(cell)}")
        out.append(f"| {c} | " + " | ".join(cells) + " |")


def keepalive_section(res, out):
    side_by_side(res, [("c-fcgi-4", ""), ("c-fcgi-4-unix", ""), ("c-fcgi-4-ka", ""),
                       ("fh-fcgi-4", ""), ("fh-fcgi-4-unix", ""), ("fh-fcgi-4-ka", ""),
                       ("fh-fcgi-4-ka-mt", "")],
                 "Transport and keep-alive between nginx and the pool",
                 "Same binaries, same worker count. Plain: TCP on 127.0.0.1, a new connection "
                 "per request; `-unix`: a unix socket (what nginx/nginx.sh ships); `-ka`: TCP "
                 "with `fastcgi_keep_conn on` and an upstream `keepalive`. A plain libfcgi worker serves one kept connection until "
                 "nginx closes it, so under load the other connections nginx opens wait in the "
                 "accept queue: watch p99 and the timeouts of `c-fcgi-4-ka`. Ours serves kept "
                 "connections from `--threads N` per worker process (`fh-fcgi-4-ka`: 4, "
                 "`fh-fcgi-4-ka-mt`: `BENCH_KA_THREADS`, 16 by default) and parks an idle kept "
                 "connection in epoll instead of holding a thread for it, so the same comparison "
                 "shows whether our loop avoids the stall and whether more threads help.",
                 out)


def cgi_levers(res, out):
    side_by_side(res, [("c-cgi-dyn-fcgiwrap", ""), ("c-cgi-fcgiwrap", ""),
                       ("fh-cgi-fcgiwrap", ""), ("fh-cgi-gw", "")],
                 "CGI: the levers",
                 "`c-cgi-dyn-fcgiwrap` → `c-cgi-fcgiwrap` is the static-link lever for the same "
                 "C program; `c-cgi-fcgiwrap` → `fh-cgi-fcgiwrap` is the cost of our binary's "
                 "start-up "
                 "(static link, lean init) under the same gateway; `fh-cgi-fcgiwrap` → "
                 "`fh-cgi-gw` is the gain of our gateway over fcgiwrap for the same binary.",
                 out)


def startup_section(path, out):
    rows = [r for r in (read_tsv(path) if path else []) if len(r) == 8]
    if not rows:
        return
    out.append("\n## CGI start-up\n")
    out.append(
        "Each CGI binary run directly (no gateway, no nginx): fork + exec + answer `GET /` + "
        "exit, timed by `hyperfine -N` (posix_spawn, as our gateway starts scripts; output to "
        "/dev/null) in a clean CGI environment, in rounds with the order of the binaries rotated, "
        "so the three share the machine's load. On a loaded machine the mean carries the "
        "scheduling noise (see σ); the median is the steadier figure. Ratios are against the "
        "static C hello (`hello_plain_cgi.c`, one write(2)); the goal for our `hello.cgi` is at "
        "most 1.2× (docs/architecture.md, *CGI start-up*, says what costs what).\n")
    out.append("| binary | linkage | size KiB | mean ± σ ms | median ms | min ms | runs | "
               "× static C (mean) | × static C (median) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    base = next((r for r in rows if r[0].endswith("/hello_plain_cgi")), None)
    for name, link, kib, mean, sd, med, mn, n in rows:
        rm = rmed = "–"
        if base:
            rm = f"{float(mean) / float(base[3]):.2f}×"
            rmed = f"{float(med) / float(base[5]):.2f}×"
        out.append(f"| `{name}` | {link} | {int(kib):,} | {float(mean):.3f} ± {float(sd):.3f} | "
                   f"{float(med):.3f} | {float(mn):.3f} | {int(n):,} | {rm} | {rmed} |")
    ours = next((r for r in rows if r[0].endswith("/hello.cgi")), None)
    if base and ours:
        r_mean = float(ours[3]) / float(base[3])
        r_med = float(ours[5]) / float(base[5])
        ok = r_mean <= 1.2 and r_med <= 1.2
        out.append(f"\nGoal `hello.cgi` ≤ 1.2× the static C hello: mean **{r_mean:.2f}×**, "
                   f"median **{r_med:.2f}×**: {'✅ met' if ok else '❌ not met'}.")


def syscalls_section(runs, info, out):
    """syscalls.sh's side-by-side table of the latest run that counted (--with-syscalls)."""
    for r in reversed(runs):
        tables = [(how, info.get(r, {}).get(name)) for how, name in
                  (("strace -c -f", "syscalls-strace.txt"),
                   ("perf stat on the syscall tracepoints", "syscalls-perf.txt"))]
        tables = [(how, t) for how, t in tables if t]
        if not tables:
            continue
        out.append("\n## System calls per request: hello.fcgi against the canned responder\n")
        out.append(f"Run {r} (`--with-syscalls`): tests/bench/syscalls.sh, 20,000 requests per "
                   "kind through nginx (unix socket, keep-alive, 32 connections, 2 processes), "
                   "counted on the worker processes only; worker CPU from an untraced run of the "
                   "same size just before. strace stops the workers at every call, which slows "
                   "them and changes how often nginx replaces kept connections (accept4/close) "
                   "and how many connections one epoll_wait returns; perf does not.\n")
        for how, t in tables:
            out.append(f"Counted with {how}:\n")
            out.append("```")
            out.append(t.rstrip())
            out.append("```\n")
        return


def apps_section(res, targets, out):
    names = [n for n, _k, _l in targets if n.startswith("app-") and n.endswith("-fcgi")]
    names = [n for n in names if any(res.get(n, c) for c in res.concs)]
    if not names:
        out.append("\n## Apps\n")
        out.append("No app endpoint was measured in this run (SQLite read/write and template "
                   "page hooks: `APP_ENDPOINTS` in tests/bench/bench.sh).\n")
        return
    labels = {n: l for n, _k, l in targets}
    out.append("\n## Apps: FastCGI / CGI for the same endpoint\n")
    out.append("Our apps' real endpoints, each served by the FastCGI worker (`APP.fcgi`, spawn -F "
               "4) and by the CGI binary through our gateway (`spawn --cgi-dir`), behind the "
               "same nginx. The accounts endpoints run signed in (one sign-in with curl before "
               "the runs; wrk sends the session cookie); `accounts-write` creates a distinct "
               "user per request (wrk_report.lua builds the body from a run tag, the wrk thread "
               "and a per-thread counter) and counts every status but 201 as an error. The "
               "create hashes the new user's password with `password.cost = minimum` "
               "(microseconds; the shipped `interactive` cost would make argon2id, not the framework or "
               "SQLite, the bottleneck). Each run starts from a fresh database with one user; "
               "the write runs (warm-up included) add one row per request (the read stays a "
               "primary-key lookup of user 1). Config: one INI per app per run (random "
               "48-byte secret, database in the run's work dir); the FastCGI pool gets it via "
               "`APP_CONFIG_FILE`, the CGI program as `APP.ini` beside its copy in the run's "
               "cgi-bin (our gateway passes only RFC 3875 variables; the front ends read "
               "`NAME.ini` beside the binary when `APP_CONFIG_FILE` is unset).\n")
    for f in names:
        out.append(f"- `{f[4:-5]}`: {labels.get(f, '').rsplit(', FastCGI', 1)[0]}")
    out.append("")
    out.append("| endpoint | connections | FastCGI req/s | p99 ms | errors | CGI req/s | p99 ms "
               "| errors | FastCGI / CGI | goal | verdict | run |")
    out.append("|---|---:|---:|---:|---|---:|---:|---|---:|---:|---|---|")
    for f in names:
        g = f[:-len("-fcgi")] + "-cgi"
        for c in res.concs:
            a, b = res.get(f, c), res.get(g, c)
            if not a and not b:
                continue
            need = 5.0 if c == 1 else 10.0
            fa = (f"{fmt_rps(a['rps'])} | {fmt_ms(a['p99'])} | {fmt_errors(a)}" if a
                  else "– | – | –")
            fb = (f"{fmt_rps(b['rps'])} | {fmt_ms(b['p99'])} | {fmt_errors(b)}" if b
                  else "– | – | –")
            if a and b:
                r = a["rps"] / b["rps"] if b["rps"] else float("inf")
                ok = r >= need and a["errors"] == 0 and b["errors"] == 0
                ratio, verdict = f"**{r:.2f}×**", ("✅ met" if ok else "❌ not met")
            else:
                ratio, verdict = "–", "not measured"
            runs = sorted({x["run"] for x in (a, b) if x})
            out.append(f"| `{f[4:-5]}` | {c} | {fa} | {fb} | {ratio} | ≥ {need:g} | {verdict} "
                       f"| {' / '.join(runs)} |")


def micro_section(path, out):
    out.append("\n## Micro-benchmark (Google Benchmark, in-process)\n")
    if not os.path.exists(path):
        out.append("Not run: no micro-benchmark binary in this build (tests/bench/micro, built "
                   "with `-DFH_BUILD_BENCH=ON`).\n")
        return
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out.append("One iteration = one request handled in-process (parse, route, respond), no "
               "transport: the framework's own cost, to compare with the end-to-end numbers.\n")
    out.append("| benchmark | time/iteration | CPU/iteration | iterations/s (one core) | "
               "iterations | items/s |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        unit = b.get("time_unit", "ns")
        ips = b.get("items_per_second")
        scale = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}.get(unit, 1e9)
        per_s = scale / b["cpu_time"] if b.get("cpu_time") else 0
        out.append(f"| `{b['name']}` | {b['real_time']:,.1f} {unit} | {b['cpu_time']:,.1f} {unit}"
                   f" | {per_s:,.0f} | {b['iterations']:,} | "
                   f"{'' if ips is None else f'{ips:,.0f}'} |")


def write_plot_data(res, targets, shapes, datadir):
    os.makedirs(datadir, exist_ok=True)
    names = [n for n, _k, _l in targets if any(res.get(n, c) for c in res.concs)]
    for metric, fname in (("rps", "throughput.dat"), ("p99", "p99.dat")):
        with open(os.path.join(datadir, fname), "w", encoding="utf-8") as f:
            f.write("target " + " ".join(f'"c={c}"' for c in res.concs) + "\n")
            for n in names:
                vals = []
                for c in res.concs:
                    cell = res.get(n, c)
                    vals.append("NaN" if not cell or cell[metric] <= 0 else f"{cell[metric]:.3f}")
                f.write(f'"{n}" ' + " ".join(vals) + "\n")
    with open(os.path.join(datadir, "rss.dat"), "w", encoding="utf-8") as f:
        f.write('target "RSS per worker (MiB)"\n')
        for n in names:
            f.write(f'"{n}" {res.rss.get(n, 0):.2f}\n')
    lim_names = [n for n in names if n in shapes and not is_limit(n)
                 and any(limit_fraction(res, shapes, n, c) for c in res.concs)]
    with open(os.path.join(datadir, "limit.dat"), "w", encoding="utf-8") as f:
        f.write("target " + " ".join(f'"c={c}"' for c in res.concs) + "\n")
        for n in lim_names:
            vals = []
            for c in res.concs:
                fr = limit_fraction(res, shapes, n, c)
                vals.append("NaN" if fr is None else f"{fr[0]:.4f}")
            f.write(f'"{n}" ' + " ".join(vals) + "\n")
    nanswer = summary.write_answer_data(res, datadir)
    with open(os.path.join(datadir, "vars.gp"), "w", encoding="utf-8") as f:
        f.write(f"ncol = {len(res.concs) + 1}\nntargets = {len(names)}\n"
                f"nlimit = {len(lim_names)}\nnanswer = {nanswer}\n")


FIELDS = ["time", "rep", "target", "concurrency", "duration_s", "requests", "rps", "p50_us",
          "p90_us", "p99_us", "max_us", "err_connect", "err_read", "err_write", "err_status",
          "err_timeout", "errors", "workers", "rss_kib_mean", "rss_kib_max", "run"]
RUN_FILES = ("meta.md", "targets.tsv", "command.txt", "skipped.tsv", "nginx-settings.txt",
             "nginx-locations.txt", "startup.tsv", "syscalls-strace.txt", "syscalls-perf.txt")


def read_rows(path):
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def merge(a, rows):
    """This run's rows (+ run id); with --previous, earlier rows of targets it did not measure.

    Writes the merged CSV, copies this run's inputs into runs-dir/RUN and removes the
    directories of runs that no longer own a row. Returns (rows, run ids oldest first, this
    run's id, {run: {file: text}})."""
    run = a.run_id or (min(r["time"] for r in rows)[:16] + "Z" if rows else "unknown")
    for r in rows:
        r["run"] = run
    measured = {r["target"] for r in rows}
    kept = [r for r in read_rows(a.previous) if r["target"] not in measured]
    for r in kept:
        r["run"] = r.get("run") or "unknown"
    rows = kept + rows
    out_csv = a.csv_out or a.csv
    with open(out_csv, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    runs = sorted({r["run"] for r in rows})
    info = {}
    if a.runs_dir:
        import shutil
        os.makedirs(a.runs_dir, exist_ok=True)
        here = os.path.join(a.runs_dir, run)
        os.makedirs(here, exist_ok=True)
        src = {"meta.md": a.meta, "targets.tsv": a.targets, "skipped.tsv": a.skipped,
               "nginx-settings.txt": a.nginx, "nginx-locations.txt": a.locations,
               "startup.tsv": a.startup, "syscalls-strace.txt": a.syscalls,
               "syscalls-perf.txt": a.syscalls_perf}
        for name, path in src.items():
            if path and os.path.exists(path) and os.path.abspath(path) != os.path.abspath(
                    os.path.join(here, name)):
                shutil.copyfile(path, os.path.join(here, name))
        with open(os.path.join(here, "command.txt"), "w", encoding="utf-8") as f:
            f.write(a.command.strip() + "\n")
        for d in os.listdir(a.runs_dir):
            if d not in runs and os.path.isdir(os.path.join(a.runs_dir, d)):
                shutil.rmtree(os.path.join(a.runs_dir, d))
        for r in runs:
            info[r] = {}
            for name in RUN_FILES:
                p = os.path.join(a.runs_dir, r, name)
                if os.path.exists(p):
                    with open(p, encoding="utf-8") as f:
                        info[r][name] = f.read()
    else:
        info[run] = {"command.txt": a.command}
        with open(a.meta, encoding="utf-8") as f:
            info[run]["meta.md"] = f.read()
    return rows, runs, run, info


def merged_targets(runs, info, rows, this_targets):
    """Target list in the order of the oldest run that has them, label of the latest."""
    have = {r["target"] for r in rows}
    order, label = [], {}
    per_run = {r: [t for t in (info.get(r, {}).get("targets.tsv", "").splitlines()) if t]
               for r in runs}
    for r in runs:
        for line in per_run[r]:
            name = line.split("\t")[0]
            if name not in label:
                order.append(name)
            label[name] = line.split("\t")
    for t in this_targets:
        if t[0] not in label:
            order.append(t[0])
        label[t[0]] = t
    return [tuple((label[n] + ["", "", ""])[:5]) for n in order if n in have]


def main():
    a = parse_args()
    with open(a.csv, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows, runs, this_run, info = merge(a, rows)
    res = Results(rows)
    quick = summary.quick_runs(runs, info)
    for cell in res.cell.values():  # --quick numbers are marked wherever a run is named
        if cell["run"] in quick:
            cell["run"] += " (quick: indicative)"
    full = merged_targets(runs, info, rows, read_tsv(a.targets))
    targets = [t[:3] for t in full]
    shapes = fcgi_shapes(full, res)
    # A target is listed when the latest run that tried it skipped it or failed it, even if an
    # older run measured it: the table then shows that older run's numbers, and says so here.
    measured_in = {}
    for row in rows:  # run ids are ISO times; a legacy row without one counts as the oldest
        run = row["run"] if row["run"][:1].isdigit() else ""
        measured_in[row["target"]] = max(measured_in.get(row["target"], ""), run)
    skipped, seen = [], set()
    for r in reversed(runs):
        for line in info.get(r, {}).get("skipped.tsv", "").splitlines():
            parts = line.split("\t")
            if len(parts) != 2 or parts[0] in seen:
                continue
            seen.add(parts[0])
            older = measured_in.get(parts[0], "")
            if older >= r:
                continue  # measured in this run or a later one
            if older:
                parts[1] += f" (in run {r}; the numbers shown are the older run {older}'s)"
            skipped.append(parts)
    with open(a.nginx, encoding="utf-8") as f:
        nginx = f.read().rstrip()
    multi = len(runs) > 1
    if multi:
        provenance = (
            f"This report merges {len(runs)} runs (listed under *Machine and settings*): each "
            "target's numbers come from the latest run that measured it (the `run` column), "
            "medians over that run's repetitions, errors summed over them (any error is shown "
            "in red), RSS per worker measured right after each run. A ratio between targets "
            "measured in different runs is marked so: the machine's load differs between runs. "
            "A run with `--targets` replaces only its targets' rows in "
            "[bench/results.csv](bench/results.csv) (column `run`); a full run replaces all.")
    else:
        provenance = (
            "All numbers below come from one run: medians over the repetitions, errors summed "
            "over them (any error is shown in red), RSS per worker measured right after each "
            f"run. Command: `{a.command.strip()}`. Raw data: "
            "[bench/results.csv](bench/results.csv).")
    if multi:
        meta_parts = []
        for r in reversed(runs):
            ts = sorted({row["target"] for row in rows if row["run"] == r})
            cmd = info[r].get("command.txt", "").strip() or "?"
            meta_parts.append(f"#### Run {r}: `{cmd}`\n\nTargets from this run: "
                              + ", ".join(f"`{t}`" for t in ts) + ".\n\n"
                              + info[r].get("meta.md", "(no description kept)\n").rstrip())
        meta = "\n\n".join(meta_parts)
    else:
        meta = info[this_run].get("meta.md", "").rstrip()

    out = ["# Benchmarks", "",
           "<!-- generated by tests/bench/bench.sh (tests/bench/matrix/report.py); "
           "do not edit by hand: rerun `./run bench` -->", "",
           "Every hello target answers the same `Hello, world` (plain text) through one "
           "user-space nginx on 127.0.0.1 (the `app-*` targets: our apps' real endpoints, see "
           "*Apps* below); wrk runs on the same machine over loopback. " + provenance, ""]
    if this_run in quick:
        out += ["**Indicative only:** this run was a `--quick` smoke run (1 s per point, 1 "
                "repetition, no warm-up): it shows that the bench works, not how fast anything "
                "is. Run `./run bench` for figures to rely on.", ""]
    summary.answer_section(res, runs, info, out)
    out += ["## The full matrix", "",
           "![requests per second](bench/throughput.svg)", "",
           "![p99 latency](bench/p99.svg)", "",
           "![FastCGI targets as a fraction of the FastCGI limit of the same shape]"
           "(bench/limit.svg)", "",
           "![RSS per worker](bench/rss.svg)", "",
           "### Machine and settings", "", meta]
    out.append("""
#### Reading the numbers

- Everything shares the machine's cores: wrk, nginx and the backend pool (and, on a shared
  machine, whatever else runs: see the load average above and the min–max column). Through
  nginx, a FastCGI backend costs nginx an upstream connection and a FastCGI exchange per
  request, so on a small machine nginx's own share of the CPU bounds every FastCGI target far
  below `return 200`.
- Without keep-alive every request opens a new TCP connection from nginx to the pool;
  `-unix` and `-ka` targets show what the transport and connection reuse are worth.
- p99 at one connection is mostly scheduling noise; the keep-alive stall shows as a p99 of
  hundreds of milliseconds (and wrk timeouts past its `--timeout`) at 32 and 128
  connections.""")
    out.append("\n### Every target: requests per second, latency, memory")
    main_tables(res, targets, shapes, out, show_run=multi)
    limit_section(res, targets, shapes, out)
    goals(res, out, multi)
    keepalive_section(res, out)
    cgi_levers(res, out)
    # The CGI start-up table: this run's, else the latest kept run's (a run may skip it).
    startup = a.startup if a.startup and os.path.exists(a.startup) else None
    for r in ([] if startup else reversed(runs)):
        p = os.path.join(a.runs_dir or "", r, "startup.tsv")
        if a.runs_dir and os.path.exists(p):
            startup = p
            break
    startup_section(startup, out)
    syscalls_section(runs, info, out)
    apps_section(res, targets, out)
    out.append("\n## Skipped or failed targets\n")
    if skipped:
        for name, reason in skipped:
            out.append(f"- `{name}`: **not measured**: {reason}")
    else:
        out.append("None: every target of the matrix was measured.")
    micro_section(a.micro, out)
    out.append("\n## nginx configuration of the run" + (f" {this_run} (the latest)" if multi
                                                        else "") + "\n")
    out.append("```nginx\n" + nginx + "\n```")
    if a.locations and os.path.exists(a.locations):
        with open(a.locations, encoding="utf-8") as f:
            locs = f.read().rstrip()
        out.append("\n<details><summary>locations.conf and the fastcgi_params files</summary>\n")
        out.append("```nginx\n" + locs + "\n```\n</details>")
    for r in (reversed(runs[:-1]) if multi else []):
        if r == this_run:
            continue
        for name, what in (("nginx-settings.txt", "nginx.conf and upstreams"),
                           ("nginx-locations.txt", "locations.conf and the fastcgi_params files")):
            text = info.get(r, {}).get(name, "").rstrip()
            if text:
                out.append(f"\n<details><summary>run {r}: {what}</summary>\n")
                out.append("```nginx\n" + text + "\n```\n</details>")
    out.append("\n## How to reproduce\n")
    out.append("`./run bench` (installs wrk, fcgiwrap, spawn-fcgi, php-fpm, gunicorn, "
               "python3-flask, gnuplot-nox, hyperfine, strace; builds with "
               "`-DFH_BUILD_BENCH=ON`), or `tests/bench/bench.sh BUILD_DIR --help` for targets, "
               "concurrency, duration, repetitions, `--port-base` and `--quick`. Only the app "
               "endpoints (site page, accounts read/write; FastCGI and CGI), merged into this "
               "report: `./run bench --targets 'app-*' --no-micro` (`--no-merge` to replace the "
               "whole report by that run). Only the FastCGI limit and what it is compared with: "
               "`./run bench --targets 'limit-*,fh-fcgi-*,c-fcgi-*' --no-micro`. Only the CGI "
               "start-up table, against another build's binary: `./run bench --startup-only "
               "--startup-also OTHER_BUILD/cgi-bin/hello.cgi`. System calls per request of the "
               "canned responder and hello.fcgi (strace): `./run bench --syscalls` (`--counter "
               "perf` for perf stat on the syscall tracepoints); in the same session as the "
               "matrix and into this report: add `--with-syscalls` to a `./run bench` run.\n")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    write_plot_data(res, targets, shapes, a.datadir)


if __name__ == "__main__":
    main()
