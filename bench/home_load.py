"""The portal's home pages under load and their time to first byte (gunicorn, 2 workers, 50 clients).

    .venv/bin/python bench/home_load.py [--seconds 30] [--clients 50] [--workers 2] [--port 8170] [--ttfb 300]

Target (issue 9, "Measured"): ≥ 300 requests/s on the platform home with two workers, and a first byte
sooner than くらし支援ナビ's home (22 ms, measured by the issue on the same kind of machine; the peer's
server is not part of this repository, so its figure is quoted, not re-measured).

Builds the database as bench/portal_load.py does (migrate, the real くらし支援ナビ windows, seed-demo),
starts gunicorn on 127.0.0.1:<port> as `make demo` does (no Redis), and times, through the same load
generator as portal_load.py:
1. the floor: GET /healthz (with SQLite reopened on every request, DB_CONN_MAX_AGE=0, as before);
2. the baseline: the home mix with the page cache on and SQLite reopened on every request (DB_CONN_MAX_AGE=0,
   what settings.py forced for SQLite before);
3. the home mix with every page rendered (PORTAL_PAGE_CACHE_SECONDS=0), connections kept;
4. the home mix as deployed (the page cache on: tsunagari/portal/pagecache.py, connections kept).
The home mix: /, /zenkoku/, /kamakura/, /kyoto-city/, /osaka-pref/ and two more demo portals.
Time to first byte: one client, requests one after another (no queueing), the median and p95 of
--ttfb requests per phase, from sending the request to reading the status line.
Writes bench/results/home_load.md. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api_load import GENERATORS, HOST, choose_tool, fmt_load, phase_table, start_gunicorn, timed
from portal_load import fetch, set_up_portals

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "home_load.md"
TARGET_RPS = 300.0
PEER_TTFB_MS = 22.0
# (PORTAL_PAGE_CACHE_SECONDS, DB_CONN_MAX_AGE, name). The first is the baseline for the last: the
# deployed page cache with SQLite reopened on every request, as settings.py had it before.
PHASES = [
    ("60", "0", "home mix, page cache on, SQLite reopened per request (before)"),
    ("0", "60", "home mix, page cache off"),
    ("60", "60", "home mix, page cache on (target)"),
]
HOMES = ["/", "/zenkoku/", "/kamakura/", "/kyoto-city/", "/osaka-pref/", "/tottori-pref/", "/kitakyushu/"]


def ttfb(port: int, paths: list[str], count: int) -> dict[str, float]:
    """Median and p95 time to the status line, one request at a time on a fresh connection each."""
    samples = []
    for n in range(count):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        began = time.perf_counter()
        conn.request("GET", paths[n % len(paths)])
        response = conn.getresponse()
        samples.append((time.perf_counter() - began) * 1000)
        response.read()
        conn.close()
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--ttfb", type=int, default=300)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    tool = choose_tool(args.tool)
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    results: list[dict[str, Any]] = []
    ttfbs: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="home-bench-", dir=ROOT / "var") as tmp:
        env, loader = set_up_portals(Path(tmp))
        for cache_seconds, conn_max_age, name in PHASES:
            server = start_gunicorn(
                {**env, "PORTAL_PAGE_CACHE_SECONDS": cache_seconds, "DB_CONN_MAX_AGE": conn_max_age},
                args.workers,
                Path(tmp) / "gunicorn.log",
                args.port,
            )
            try:
                base = f"http://{HOST}:{server.port}"
                homes = [path for path in HOMES if fetch(base, path)[0] == 200]
                if len(homes) < 3:
                    sys.exit(f"Only {homes} answered 200: the demo platforms did not load.")
                if not results:
                    results.append(timed("floor: /healthz", ["/healthz"], tool, server.port, args, Path(tmp)))
                ttfbs[name] = ttfb(server.port, homes, args.ttfb)
                results.append(timed(name, homes, tool, server.port, args, Path(tmp)))
                if name == PHASES[-1][2]:
                    results.append(
                        timed(
                            "floor again: /healthz, connections kept", ["/healthz"], tool, server.port, args, Path(tmp)
                        )
                    )
            finally:
                server.stop()
    write_results(results, ttfbs, homes, args, tool, loader, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def write_results(
    results: list[dict[str, Any]],
    ttfbs: dict[str, dict[str, float]],
    homes: list[str],
    args: argparse.Namespace,
    tool: str,
    loader: str,
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    command = ["bench/home_load.py"]
    for flag, default in (("seconds", 30), ("clients", 50), ("workers", 2), ("port", 8170), ("ttfb", 300)):
        if getattr(args, flag) != default:
            command += [f"--{flag}", str(getattr(args, flag))]
    floor = results[0]["rps"]
    deployed = next(r for r in results if r["name"] == PHASES[-1][2])
    first_byte = ttfbs[deployed["name"]]
    met = deployed["rps"] >= TARGET_RPS and deployed["errors"] == 0 and first_byte["p50"] < PEER_TTFB_MS
    lines = [
        "# The portal's home pages under load",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; load average (1, 5, 15 min)"
        f" {fmt_load(load_before)} before, {fmt_load(load_after)} after.",
        "",
        f"Command: `.venv/bin/python {' '.join(command)}`",
        "",
        f"Target: ≥ {TARGET_RPS:.0f} requests/s on the home pages with no errors ({args.workers} sync workers,"
        f" {args.clients} concurrent clients, {args.seconds} s per phase) and a first byte sooner than"
        f" くらし支援ナビ's home ({PEER_TTFB_MS:.0f} ms, as measured in issue 9).",
        "",
        *phase_table(results, floor),
        "",
        "| phase | first byte, median | first byte, p95 |",
        "| --- | --- | --- |",
        *(f"| {name} | {value['p50']:.1f} ms | {value['p95']:.1f} ms |" for name, value in ttfbs.items()),
        "",
        f"Meets the target: {'yes' if met else 'no'} ({deployed['rps']:.0f} req/s, {deployed['errors']} errors,"
        f" first byte {first_byte['p50']:.1f} ms median).",
        "",
        f"Pages: {', '.join(homes)}, each request picked at random. Data: {loader}, then `python -m tsunagari"
        " seed-demo`. Server: gunicorn sync workers, SQLite in a temporary DATA_DIR, DEBUG off, no Redis;"
        " the first /healthz floor and the baseline run with DB_CONN_MAX_AGE=0 (SQLite reopened on every request,"
        " as settings.py forced before), the other phases as deployed (connections kept, DB_CONN_MAX_AGE=60)."
        " The page cache keeps an anonymous resident's home page in each process's memory and in the shared"
        " cache, keyed by the directory's and the portal's versions read from the shared cache on every"
        " request (see docs/portal.md). The first-byte figures are one client at a time, so they hold no"
        f" queueing. Load generator: {GENERATORS[tool]}, on the same machine as the server.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
