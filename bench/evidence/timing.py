#!/usr/bin/env python3
"""The timing client of bench/evidence/run.sh (stdlib only; reuses bench/views/client.py).

    timing.py cold BASE_URL LOG_FILE LABEL PATH     one request, on a server that just started
    timing.py first BASE_URL LOG_FILE CYCLE         after the background computation, one request each
    timing.py warm BASE_URL LOG_FILE CYCLE          N requests of each endpoint after a warm-up
    timing.py summary                               the table of every figure, PASS/FAIL

Environment: BENCH_EMAIL, BENCH_PASSWORD (the admin's login, for the pages), BENCH_TOKEN (an
API token, for /api/v1), N (default 30), WARMUP (default 2), BENCH_RESULTS (a file the cold
and warm modes append their figures to, one JSON object a line, for `summary`).

Server time is taken from the tower-http trace log exactly as bench/views does: the gap
between a request's `started processing request` and `finished processing request` lines.
Client time is the loopback wall time until the whole body is read. Percentiles are
nearest-rank. Target (issue 5): under 500 ms of server time for the validity and the
reliability page; the same is asked of their API twins. Cold: the one request computing its
report (background computation off); first: the one request after the background
computation; warm: p95.
"""
import importlib.util
import json
import os
import re
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "views_client", os.path.join(here, "..", "views", "client.py"))
views = importlib.util.module_from_spec(spec)
spec.loader.exec_module(views)

TARGET_MS = 500.0


def record(**fields):
    """Appends one figure to BENCH_RESULTS (if set)."""
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(fields) + "\n")


def breakdown(log, offset):
    """The `sellerq::evidence` debug lines logged after `offset`, without their prefixes."""
    with open(log, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    out = []
    for raw in text.splitlines():
        line = views.ANSI.sub("", raw)
        if "evidence:" in line:
            out.append("    " + line[line.index("evidence:"):])
    return out


def endpoints(cycle: str) -> list[tuple[str, str, bool]]:
    """The newest cycle's two pages and their API twins, then the two pages of an older cycle
    (BENCH_OLDER_CYCLE, default 2025-H1: not the default cycle), then the newest cycle's
    validity page over two periods only (a view the server does not compute ahead)."""
    q = urllib.parse.urlencode({"cycle": cycle})
    older = os.environ.get("BENCH_OLDER_CYCLE", "2025-H1")
    o = urllib.parse.urlencode({"cycle": older})
    two = urllib.parse.urlencode([("cycle", cycle), ("period", "2026-Q3"), ("period", "2026-Q4")])
    return [
        ("page  /analytics/validity", f"/analytics/validity?{q}", False),
        ("page  /analytics/reliability", f"/analytics/reliability?{q}", False),
        ("api   /api/v1/analytics/validity", f"/api/v1/analytics/validity?{q}", True),
        ("api   /api/v1/analytics/reliability", f"/api/v1/analytics/reliability?{q}", True),
        (f"page  /analytics/validity {older}", f"/analytics/validity?{o}", False),
        (f"page  /analytics/reliability {older}", f"/analytics/reliability?{o}", False),
        ("page  /analytics/validity 2 periods", f"/analytics/validity?{two}", False),
    ]


def client(base: str, api: bool) -> tuple[object, dict]:
    c = views.Client(base)
    if api:
        return c, {"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}",
                   "Accept": "application/json"}
    views.login(c, os.environ["BENCH_EMAIL"], os.environ["BENCH_PASSWORD"])
    return c, {}


def timed(c, headers, log, path, n):
    """(server ms list, client ms list, status, size) of n requests of path."""
    time.sleep(0.2)
    offset = os.path.getsize(log)
    client_ms, status, size = [], None, 0
    for _ in range(n):
        status, _, body, dt = c.request("GET", path, headers=headers)
        size = len(body)
        client_ms.append(dt * 1000.0)
        if status != 200:
            break
    time.sleep(0.3)
    server = [g for g, _ in views.server_times(log, offset, path)]
    return server, client_ms, status, size


def line(label, server, client_ms, size, n):
    p = views.pct
    print(f"{label:<46} n={n:<3} {size / 1024:8.1f} KiB   server ms p50 {p(server, 50):8.1f}"
          f"  p95 {p(server, 95):8.1f}  max {max(server):8.1f}   client p50 {p(client_ms, 50):8.1f}")


def once(kind, base, log, label, path, show_breakdown):
    """Times one request of `path`, prints it and records it as `kind` (cold or first)."""
    c, headers = client(base, path.startswith("/api/"))
    offset = os.path.getsize(log)
    server, client_ms, status, size = timed(c, headers, log, path, 1)
    if status != 200 or not server:
        print(f"{label:<46} {kind}: status {status} (not measured)")
        record(kind=kind, label=label, ms=None, ok=False)
        return
    ok = server[0] < TARGET_MS
    print(f"{label:<46} {kind:<5} {size / 1024:8.1f} KiB   server ms {server[0]:8.1f}"
          f"   client {client_ms[0]:8.1f}   target < {TARGET_MS:g}: {'PASS' if ok else 'FAIL'}")
    if show_breakdown:
        for line in breakdown(log, offset):
            print(line)
    record(kind=kind, label=label, ms=server[0], ok=ok)


def cold(base, log, label, path):
    once("cold", base, log, label, path, True)


def first(base, log, cycle):
    """Waits for the background computation the server starts with, prints how long it took
    (from the server's log), then times one request of each endpoint."""
    started = time.monotonic()
    done = None
    while done is None and time.monotonic() - started < 120:
        with open(log, "rb") as f:
            for raw in f.read().decode("utf-8", "replace").splitlines():
                text = views.ANSI.sub("", raw)
                if "default reports computed in the background" in text:
                    m = re.search(r"\bms=([0-9.]+)", text)
                    done = float(m.group(1)) if m else float("nan")
        if done is None:
            time.sleep(0.05)
    if done is None:
        views.die("the server did not log its background computation within 120 s")
    print(f"background computation after start: {done:.1f} ms (server log)")
    record(kind="background", label="background", ms=done, ok=True)
    for label, path, _ in endpoints(cycle):
        once("first", base, log, label, path, False)


def warm(base, log, cycle):
    n = int(os.environ.get("N", 30))
    warmup = int(os.environ.get("WARMUP", 2))
    ok = True
    for label, path, api in endpoints(cycle):
        c, headers = client(base, api)
        status = None
        for _ in range(warmup):
            status, _, body, _ = c.request("GET", path, headers=headers)
        if status != 200:
            print(f"{label:<46} status {status}: not measured ({body[:120]!r})")
            if not api:
                ok = False
            continue
        if api and "validity" in path and "bootstrap" not in path:
            doc = json.loads(body)
            print(f"  (n = {doc.get('n')}, ΔR² = {doc['hierarchical'].get('delta_r2')}, "
                  f"interval {doc.get('delta_r2_interval')}, cv {doc.get('cross_validation')})")
        server, client_ms, status, size = timed(c, headers, log, path, n)
        if status != 200 or len(server) != n:
            views.die(f"{path}: status {status}, {len(server)} trace entries for {n} requests")
        line(label, server, client_ms, size, n)
        passed = views.pct(server, 95) < TARGET_MS
        ok &= passed
        print(f"  target server p95 < {TARGET_MS:g} ms: {'PASS' if passed else 'FAIL'}")
        record(kind="warm", label=label, p50=views.pct(server, 50),
               p95=views.pct(server, 95), ok=passed)
    return ok


def summary():
    """Prints every figure of this run in one table. The exit status is 1 when a report as the
    server serves it by default (first view after the background computation, warm p95)
    misses the target; the cold compute is printed beside it with its own verdict."""
    rows, background = {}, None
    with open(os.environ["BENCH_RESULTS"]) as f:
        for raw in f:
            r = json.loads(raw)
            if r["kind"] == "background":
                background = r["ms"]
                continue
            rows.setdefault(r["label"], {})[r["kind"]] = r
    fmt = lambda x: "—" if x is None else f"{x:.1f}"
    mark = lambda r: "—" if r.get("ms") is None else ("< 500" if r.get("ok") else "OVER")
    print(f"-- summary (server ms; target < {TARGET_MS:g} ms)")
    print(f"{'endpoint':<46} {'first':>8} {'warm p50':>9} {'warm p95':>9}  served"
          f"   {'cold':>8}  cold")
    all_ok = True
    for label, kinds in rows.items():
        cold_r, first_r, warm_r = (kinds.get(k, {}) for k in ("cold", "first", "warm"))
        ok = bool(first_r.get("ok")) and bool(warm_r.get("ok"))
        all_ok &= ok
        print(f"{label:<46} {fmt(first_r.get('ms')):>8} {fmt(warm_r.get('p50')):>9}"
              f" {fmt(warm_r.get('p95')):>9}  {'PASS' if ok else 'FAIL':<6}"
              f"   {fmt(cold_r.get('ms')):>8}  {mark(cold_r)}")
    print(f"background computation of the default reports after start: {fmt(background)} ms")
    print("served = first view after the background computation and warm p95, both < 500 ms;")
    print("cold = one request computing its report itself (background computation off).")
    return all_ok


def main():
    mode = sys.argv[1]
    if mode == "cold":
        cold(*sys.argv[2:6])
    elif mode == "first":
        first(*sys.argv[2:5])
    elif mode == "warm":
        sys.exit(0 if warm(*sys.argv[2:5]) else 1)
    elif mode == "summary":
        sys.exit(0 if summary() else 1)
    elif mode == "list":
        for label, path, _ in endpoints(sys.argv[2]):
            print(f"{label}\t{path}")
    else:
        views.die(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
