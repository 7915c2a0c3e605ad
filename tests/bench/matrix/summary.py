"""summary.py: the first section of docs/benchmarks.md, the user's first question answered in plain
words: "CGI or FastCGI, for my app: how much faster, and at what memory?", from the same medians
as the matrix, and the data of its one chart (answer.dat, drawn by charts.gp as answer.svg).

Used by report.py (stdlib only). Quick runs (`--quick`: 1 s per point, 1 repetition, no
warm-up) are marked as indicative wherever their numbers appear here.
"""
import os

# (FastCGI target, CGI target, what the endpoint does). For hello, the first FastCGI target
# measured is used: the shipped shape (unix socket, keep-alive) first.
PAIRS = [
    (("app-site-page-fcgi",), "app-site-page-cgi", "renders a template page (site)"),
    (("app-accounts-read-fcgi",), "app-accounts-read-cgi", "reads a row from SQLite (accounts)"),
    (("app-accounts-write-fcgi",), "app-accounts-write-cgi",
     "writes a row to SQLite (accounts)"),
    (("fh-fcgi-2-unix-ka", "fh-fcgi-4-unix", "fh-fcgi-4", "fh-fcgi-2"), "fh-cgi-gw",
     "says hello (no work: the cost of the transport itself)"),
]


def quick_runs(runs, info):
    """Run ids whose command was a --quick run."""
    return {r for r in runs if "--quick" in info.get(r, {}).get("command.txt", "")}


def headline_conc(res):
    """The concurrency the answer quotes: 32 if measured, else the highest."""
    return 32 if 32 in res.concs else max(res.concs)


def measured_pairs(res, conc):
    """[(label, fcgi name, fcgi cell, cgi name, cgi cell)] for the pairs measured at conc."""
    out = []
    for fcgi_names, cgi, label in PAIRS:
        b = res.get(cgi, conc)
        for f in fcgi_names:
            a = res.get(f, conc)
            if a and b and b["rps"] > 0:
                out.append((label, f, a, cgi, b))
                break
    return out


def mib(v):
    return f"{v:.0f} MiB" if v >= 10 else f"{v:.1f} MiB"


def answer_section(res, runs, info, out):
    """Appends the answer section (or a note saying which targets it needs)."""
    out.append("\n## CGI or FastCGI for your app: how much faster, at what memory\n")
    if not res.concs:
        out.append("No measurement in this run.\n")
        return
    conc = headline_conc(res)
    pairs = measured_pairs(res, conc)
    if not pairs:
        out.append("This run measured no app endpoint both ways (FastCGI and CGI): run "
                   "`./run bench --targets 'app-*,fh-fcgi-2-unix-ka,fh-cgi-gw'` for the answer.\n")
        return
    quick = quick_runs(runs, info)
    used_runs = {c["run"] for _l, _f, a, _c, b in pairs for c in (a, b)}
    if used_runs & quick:
        out.append("**Indicative only:** numbers below come from a `--quick` run (1 s per "
                   "point, 1 repetition, no warm-up, on a machine shared with other work). Run "
                   "`./run bench` for figures to rely on.\n")
    ratios = [a["rps"] / b["rps"] for _l, _f, a, _c, b in pairs]
    lo, hi = min(ratios), max(ratios)
    def times(x):
        return f"{x:.1f}" if x < 10 else f"{x:.0f}"

    span = f"{times(lo)}×" if times(lo) == times(hi) else f"{times(lo)}–{times(hi)}×"
    fast = pairs[0]
    out.append(
        f"**FastCGI serves {span} more requests per second than CGI for the same app**, measured "
        f"with {conc} concurrent connections through the same nginx on the same machine "
        "(same source built both ways: `NAME.fcgi` under spawn, `NAME.cgi` through our CGI "
        "gateway). The gap is largest where the request itself is cheap: a CGI request pays "
        "a process start (fork, exec, opening the database, loading the templates) that a "
        "FastCGI worker paid once.\n")
    out.append(
        "**Memory:** a FastCGI pool holds its workers in memory all the time (workers × RSS "
        "below); CGI holds only the gateway and, per request in flight, one short-lived process "
        "that exits when it has answered. So CGI costs nothing while your app is idle, and "
        "FastCGI costs a few MiB per worker whether or not requests come.\n")
    out.append(f"| your app | FastCGI req/s | CGI req/s | FastCGI is | p50 ms FastCGI / CGI "
               f"| memory held, FastCGI | memory held, CGI |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for (label, f, a, cgi, b), ratio in zip(pairs, ratios):
        mark = " (indicative)" if a["run"] in quick or b["run"] in quick else ""
        if a["run"] != b["run"]:
            mark += " (different runs)"
        out.append(
            f"| {label} | {a['rps']:,.0f} | {b['rps']:,.0f} | **{ratio:.1f}× faster**{mark} | "
            f"{a['p50']:.2f} / {b['p50']:.2f} | {a['workers']} × {mib(a['rss_max'])} = "
            f"{mib(a['workers'] * a['rss_max'])} | {b['workers']} × {mib(b['rss_max'])} "
            "gateway + one process per request in flight |")
    label, f, a, cgi, b = fast
    out.append("")
    out.append(
        f"In one sentence: if your app {label.split(' (')[0]}, CGI tops out near "
        f"**{b['rps']:,.0f} requests a second** on this machine and FastCGI near "
        f"**{a['rps']:,.0f}**; if your traffic stays well below CGI's figure, CGI is enough and "
        "holds no workers; near it or above, use FastCGI. Targets: "
        + ", ".join(f"`{x}` vs `{y}`" for _l, x, _a, y, _b in pairs)
        + f" (c={conc}); every number is in the matrix below.\n")
    out.append("![FastCGI and CGI requests per second for the same app](bench/answer.svg)\n")


def write_answer_data(res, datadir):
    """answer.dat (endpoint, FastCGI req/s, CGI req/s) for charts.gp; returns the row count."""
    conc = headline_conc(res) if res.concs else 0
    pairs = measured_pairs(res, conc) if conc else []
    with open(os.path.join(datadir, "answer.dat"), "w", encoding="utf-8") as f:
        f.write(f'endpoint "FastCGI (c={conc})" "CGI (c={conc})"\n')
        for label, _f, a, _c, b in pairs:
            short = label.split(" (")[0].replace('"', "'")
            f.write(f'"{short}" {a["rps"]:.1f} {b["rps"]:.1f}\n')
    return len(pairs)
