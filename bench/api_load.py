"""The public API under load (gunicorn, 2 workers, 50 clients, 60 s) against the /healthz floor.

    .venv/bin/python bench/api_load.py [--seconds 60] [--clients 50] [--workers 2] [--tool auto|wrk|python]
        [--cache redis|memory] [--redis-url redis://127.0.0.1:6379/15] [--rate-limit] [--breakdown]

Builds a fresh database in a temporary DATA_DIR (SQLite, as `make demo` runs): `python -m tsunagari
migrate`, then the real くらし支援ナビ windows with `python -m tsunagari import` when that command
exists, else with a minimal loader of offices.csv below (the results say which). Starts gunicorn
on 127.0.0.1 with the given workers, exactly like `make serve` but without the access log, and with
RATELIMIT_ENABLE=false: the bench is one client address sending far more than API_RATE allows, and
the limiter would answer 429 instead of measuring the API (--rate-limit keeps it on with a limit
no client reaches, to see its cost: one cache increment per request). The cache is Redis, as
docs/deploy.md requires with more than one process: the local server at --redis-url, under a key
prefix of its own that the bench deletes afterwards (it exits if Redis does not answer; --cache
memory runs without it, each worker with its own small in-memory cache).

Phases of the same length and concurrency, through the same load generator:
1. the floor: GET /healthz (a trivial Django view with one `SELECT 1`), the most this server
   stack can do on this machine;
2. the API from a cold cache: a 50/50 mix of GET /api/services?page=N (every page, 50 services
   each) and GET /api/services/{id} (every published service), each request picked at random,
   starting with an empty cache, as after any write to the directory (every write changes
   directory_version, part of every cache key);
3. (not timed against the target) one crawler with 4 connections requests every URL of the mix
   once: how long refilling the whole cache takes;
4. the target: the same mix with the cache warm, the steady state between writes;
5. the floor again: if the machine is shared, the two floors and the load average recorded after
   each phase show whether other work disturbed the run ("share of the floor" uses their mean).
With --breakdown, the list pages and the detail pages are also run alone (warm), before step 5.

Load generator: wrk when installed (it is C and leaves the cores to the server); this bench never
installs anything. Without wrk it says so and uses its own: threads with http.client. Install wrk
with `apt-get install -y wrk`. Traffic goes only to 127.0.0.1; every phase is bounded by --seconds.
Writes bench/results/api.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KURASHI = ROOT.parent / "shared" / "data" / "kurashi-navi"
RESULTS = ROOT / "bench" / "results" / "api.md"
TARGET_RPS = 300.0
HOST = "127.0.0.1"

LIMITER = {
    False: "RATELIMIT_ENABLE=false (the one bench client is far over API_RATE)",
    True: "rate limiter on with API_RATE=1000000000/m (counted in the cache on every request, never reached)",
}
CACHES = {
    "redis": "Redis (REDIS_URL, shared by the workers), empty at the start of the run",
    "memory": "each worker's own in-memory cache (no REDIS_URL; Django's default of at most 300 entries)",
}
GENERATORS = {
    "wrk": "wrk 4.1 (C), one thread per core, a random path per request (Lua)",
    "python": "the bench's own Python threads with http.client (wrk was not installed; it competes with the server"
    " for CPU)",
}

WRK_SCRIPT = r"""
local paths = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
function init(args)
  math.randomseed(os.time() + seed * 7919)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


# ---------------------------------------------------------------------------------------------
# Setting up: database, data, server
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--cache", choices=["redis", "memory"], default="redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--breakdown", action="store_true", help="also run list pages and detail pages alone")
    parser.add_argument(
        "--rate-limit", action="store_true", help="keep the rate limiter on, with a limit no client reaches"
    )
    parser.add_argument("--load-minimal", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_minimal:
        load_offices_minimal()
        return
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    tool = choose_tool(args.tool)
    redis_url = args.redis_url if args.cache == "redis" else None
    if redis_url:
        check_redis(redis_url)
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="api-bench-") as tmp:
        env = bench_env(Path(tmp), redis_url, rate_limit=args.rate_limit)
        print(f"Database in {tmp}; migrating …", flush=True)
        manage(env, "migrate", "--no-input", "-v0")
        loader = load_data(env)
        server = start_gunicorn(env, args.workers, Path(tmp) / "gunicorn.log")
        try:
            base = f"http://{HOST}:{server.port}"
            paths = api_paths(base)
            results = [timed("floor: /healthz (before)", ["/healthz"], tool, server.port, args, Path(tmp))]
            results.append(timed("API mix, cold cache", paths["mix"], tool, server.port, args, Path(tmp)))
            crawl_seconds = crawl(server.port, paths["pages"] + paths["details"])
            print(f"Crawl of every URL: {crawl_seconds:.1f} s", flush=True)
            results.append(timed("API mix, warm cache (target)", paths["mix"], tool, server.port, args, Path(tmp)))
            if args.breakdown:
                results.append(timed("list pages alone (warm)", paths["pages"], tool, server.port, args, Path(tmp)))
                results.append(timed("detail pages alone (warm)", paths["details"], tool, server.port, args, Path(tmp)))
            # The machine may be shared: a second floor at the end shows whether it stayed quiet.
            results.append(timed("floor: /healthz (after)", ["/healthz"], tool, server.port, args, Path(tmp)))
        finally:
            server.stop()
            if redis_url:
                forget_keys(redis_url, env["CACHE_KEY_PREFIX"])
        write_results(results, crawl_seconds, args, tool, loader, paths, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def choose_tool(wanted: str) -> str:
    has_wrk = shutil.which("wrk") is not None
    if wanted == "wrk" and not has_wrk:
        sys.exit("wrk is not installed. Install it with `apt-get install -y wrk`, or run with --tool python.")
    if wanted == "auto" and not has_wrk:
        print(
            "wrk is not installed, so the bench uses its own Python load generator, which takes CPU from the"
            " server on the same machine. For the reference figures install wrk: `apt-get install -y wrk`.",
            flush=True,
        )
        return "python"
    return "wrk" if wanted in ("auto", "wrk") else "python"


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as error:
        sys.exit(f"Redis does not answer at {url} ({error}). Start it, pass --redis-url, or run with --cache memory.")


def forget_keys(url: str, prefix: str) -> None:
    """Delete what this run put in Redis (Django's keys are "<prefix>:<version>:<key>")."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def bench_env(tmp: Path, redis_url: str | None, *, rate_limit: bool) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="tsunagari.settings",
        DATA_DIR=str(tmp),
        RATELIMIT_ENABLE="false",
        STATIC_MANIFEST="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if rate_limit:
        # Counted on every request as in production, but never reached by the one bench client.
        env.update(RATELIMIT_ENABLE="true", API_RATE="1000000000/m")
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = f"api-bench-{os.getpid()}"
    return env


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([sys.executable, "-m", "tsunagari", *command], env=env, cwd=ROOT, check=True)


def load_data(env: dict[str, str]) -> str:
    """The real windows, through the project's importer when it exists."""
    has_import = (
        subprocess.run(
            [sys.executable, "-m", "tsunagari", "help", "import"], env=env, cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )
    if has_import:
        print("Importing with `python -m tsunagari import` …", flush=True)
        manage(env, "import", str(KURASHI))
        return "the project importer: `python -m tsunagari import /work/shared/data/kurashi-navi`"
    print("No `import` command yet: loading offices.csv with the bench's own minimal loader …", flush=True)
    subprocess.run([sys.executable, __file__, "--load-minimal"], env=env, cwd=ROOT, check=True)
    return (
        "the bench's own minimal loader of offices.csv (`python -m tsunagari import` did not exist yet):"
        " one service per row with its organisation, location, phone, area, need and parsed hours"
    )


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(env: dict[str, str], workers: int, log: Path, port: int | None = None) -> Server:
    """gunicorn on `port` (default: a free one the system gives)."""
    if port is None:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tsunagari.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    sys.exit("gunicorn did not answer /healthz within 60 s")


def api_paths(base: str) -> dict[str, list[str]]:
    """Every list page and every published service, found through the API itself."""
    with urllib.request.urlopen(f"{base}/api/services?minimal=true", timeout=60) as response:
        ids = [item["id"] for item in json.load(response)["contents"]]
    with urllib.request.urlopen(f"{base}/api/services", timeout=60) as response:
        pages = json.load(response)["total_pages"]
    if not ids:
        sys.exit("The API lists no services: the data did not load.")
    page_paths = [f"/api/services?page={n}" for n in range(1, pages + 1)]
    detail_paths = [f"/api/services/{service_id}" for service_id in ids]
    # Half and half, whatever the number of each: list pages repeat to match the details.
    mix = detail_paths + [page_paths[i % len(page_paths)] for i in range(len(detail_paths))]
    return {"pages": page_paths, "details": detail_paths, "mix": mix}


# ---------------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------------


def timed(name: str, paths: list[str], tool: str, port: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    print(f"{name}: {args.clients} clients for {args.seconds} s …", flush=True)
    result = run_phase(tool, port, paths, args.clients, args.seconds, tmp)
    result["name"] = name
    result["load"] = os.getloadavg()[0]
    print(f"  {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, errors {result['errors']}", flush=True)
    return result


def crawl(port: int, paths: list[str], connections: int = 4) -> float:
    """Request every path once (what refilling the cache costs); returns the seconds it took."""
    todo = list(paths)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                path = todo.pop()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            try:
                conn.request("GET", path)
                conn.getresponse().read()
            finally:
                conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def run_phase(tool: str, port: int, paths: list[str], clients: int, seconds: int, tmp: Path) -> dict[str, Any]:
    if tool == "wrk":
        return run_wrk(port, paths, clients, seconds, tmp)
    return run_python(port, paths, clients, seconds)


def run_wrk(port: int, paths: list[str], clients: int, seconds: int, tmp: Path) -> dict[str, Any]:
    script = tmp / "mix.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    path_file = tmp / "paths.txt"
    path_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    threads = min(clients, max(1, os.cpu_count() or 1))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://{HOST}:{port}/",
            "--",
            str(path_file),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    duration = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "seconds": duration,
        "rps": raw["requests"] / duration,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["status"] + socket_errors,
        "error_detail": f"non-2xx/3xx {raw['status']}, socket {socket_errors}",
        "bytes_per_response": raw["bytes"] / max(raw["requests"], 1),
    }


def run_python(port: int, paths: list[str], clients: int, seconds: int) -> dict[str, Any]:
    """Threads with keep-alive connections (reopened when the server closes them)."""
    deadline = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    bad_status = [0] * clients
    received = [0] * clients

    def client(index: int) -> None:
        rng = random.Random(index)
        conn: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                received[index] += len(response.read())
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = None
                continue
            latencies[index].append(time.perf_counter() - began)
            if response.status >= 400:
                bad_status[index] += 1
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    duration = time.monotonic() - began
    all_latencies = sorted(value for values in latencies for value in values)
    if not all_latencies:
        all_latencies = [0.0]
    quantiles = statistics.quantiles(all_latencies, n=100, method="inclusive")
    count = sum(len(values) for values in latencies)
    return {
        "requests": count,
        "seconds": duration,
        "rps": count / duration,
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "max_ms": all_latencies[-1] * 1000,
        "errors": sum(errors) + sum(bad_status),
        "error_detail": f"status ≥ 400 {sum(bad_status)}, socket {sum(errors)}",
        "bytes_per_response": sum(received) / max(count, 1),
    }


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def write_results(
    results: list[dict[str, Any]],
    crawl_seconds: float,
    args: argparse.Namespace,
    tool: str,
    loader: str,
    paths: dict[str, list[str]],
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    command = ["bench/api_load.py"]
    for flag, default in (("seconds", 60), ("clients", 50), ("workers", 2)):
        if getattr(args, flag) != default:
            command += [f"--{flag}", str(getattr(args, flag))]
    if args.tool != "auto":
        command += ["--tool", args.tool]
    if args.cache != "redis":
        command += ["--cache", args.cache]
    if args.redis_url != "redis://127.0.0.1:6379/15":
        command += ["--redis-url", args.redis_url]
    if args.breakdown:
        command.append("--breakdown")
    if args.rate_limit:
        command.append("--rate-limit")
    floors = [r["rps"] for r in results if r["name"].startswith("floor")]
    floor = sum(floors) / len(floors)
    lines = [
        "# API under load",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; load average (1, 5, 15 min)"
        f" {fmt_load(load_before)} before, {fmt_load(load_after)} after.",
        "",
        f"Command: `.venv/bin/python {' '.join(command)}`",
        "",
        f"Target: ≥ {TARGET_RPS:.0f} requests/s on the API mix with no errors"
        f" (gunicorn, {args.workers} sync workers, {args.clients} concurrent clients, {args.seconds} s per phase).",
        "",
        *phase_table(results, floor),
    ]
    cold, api = results[1], results[2]
    met = api["rps"] >= TARGET_RPS and api["errors"] == 0
    lines += [
        "",
        f"Meets the target (warm cache): {'yes' if met else 'no'} ({api['rps']:.0f} req/s, {api['errors']} errors)."
        f" From a cold cache: {cold['rps']:.0f} req/s, {cold['errors']} errors. Refilling the whole cache with one"
        f" crawler (4 connections, every list page and every service once): {crawl_seconds:.0f} s.",
        "",
        f"Data: {loader}. {len(paths['details']):,} published services, {len(paths['pages'])} list pages of 50;"
        " the mix picks uniformly at random among every detail page and (as often) every list page. A detail"
        " page that misses the cache loads and caches the ~1/128th of all services whose ids are close to it"
        " (tsunagari/api/views.py, service()).",
        "",
        f"Server: `gunicorn tsunagari.wsgi --workers {args.workers}` (sync workers, as `make serve`, without the"
        f" access log), SQLite in a temporary DATA_DIR, DEBUG off, {LIMITER[args.rate_limit]},"
        f" cache: {CACHES[args.cache]}.",
        "",
        "The floor view runs one `SELECT 1`, so it opens a database connection (with SQLite, one per request:"
        " CONN_MAX_AGE is 0 there); an API answer from the cache touches no database, which is why the warm"
        " API can go faster than the floor. Both pass through the same middleware and gunicorn.",
        "",
        f"Load generator: {GENERATORS[tool]};"
        " it runs on the same machine as the server. Latency is per request at the client; errors are"
        " socket errors, timeouts (10 s) and HTTP statuses of 400 and above.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def phase_table(results: list[dict[str, Any]], floor: float) -> list[str]:
    """The Markdown table of timed phases, each with its share of the mean /healthz floor (portal_load.py too)."""
    lines = [
        "| phase | requests | req/s | p50 | p95 | p99 | max | errors | body (mean) | share of the floor"
        " | load (1 min) at the end |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['requests']:,} | {r['rps']:.0f} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms"
            f" | {r['p99_ms']:.1f} ms | {r['max_ms']:.0f} ms | {r['errors']} ({r['error_detail']})"
            f" | {r['bytes_per_response'] / 1024:.1f} KiB | {r['rps'] / floor:.0%} | {r['load']:.2f} |"
        )
    return lines


def fmt_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


# ---------------------------------------------------------------------------------------------
# Minimal loader (only when the project's importer is not available)
# ---------------------------------------------------------------------------------------------

# Categories of offices.csv → need codes (a guess for the bench; the importer has the real mapping).
CATEGORY_NEEDS = {
    "food": "food",
    "housing": "housing",
    "rent": "housing",
    "utilities": "money",
    "money": "money",
    "medical": "health",
    "work": "work",
    "debt": "debt",
    "violence": "violence",
    "children": "children",
    "mental": "mental_health",
    "disability": "disability",
    "care": "caregiving",
    "unknown": "unsure",
}


def load_offices_minimal() -> None:
    """offices.csv as published national services: organisation, location, phone, area, need, hours."""
    import csv

    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection, transaction

    from tsunagari.directory.models import NEEDS as NEEDS_TAXONOMY
    from tsunagari.directory.models import (
        Channel,
        Location,
        Organization,
        Schedule,
        Service,
        ServiceArea,
        ServiceAtLocation,
        TaxonomyTerm,
    )
    from tsunagari.directory.opening import weekdays_to_byday
    from tsunagari.lib.hours import parse_hours
    from tsunagari.tenancy.models import Municipality, national_platform
    from tsunagari.tenancy.scoping import scopes_disabled

    # The areas come with `migrate`; municipalities.csv maps the site's ids to codes (5 digits decide).
    platform = national_platform()
    known = set(Municipality.objects.values_list("code", flat=True))
    by_five = {code[:5]: code for code in known}
    with (KURASHI / "municipalities.csv").open(encoding="utf-8-sig", newline="") as f:
        codes = {row["id"]: by_five.get(row["municipalityCode"][:5], "") for row in csv.DictReader(f)}
    with (KURASHI / "offices.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    with scopes_disabled(), transaction.atomic():
        terms = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy_id=NEEDS_TAXONOMY)}
        organizations: dict[str, Organization] = {}
        made: dict[type, list[Any]] = {
            model: [] for model in (Service, Location, ServiceAtLocation, Channel, Schedule, ServiceArea)
        }
        links = []
        for row in rows:
            code = codes.get(row["municipalityId"])
            code = code if code in known else None
            org_name = (row["department"] or row["name"])[:200]
            org = organizations.setdefault(org_name, Organization(platform=platform, name=org_name))
            hours = parse_hours(row["openingHours"], row["closedDays"])
            service = Service(
                platform=platform,
                organization=org,
                source_id=row["id"],
                name=row["name"][:300],
                alternate_name=row["plainName"][:300],
                description=row["description"],
                url=row["officialUrl"][:500],
                eligibility_description=row["eligibilityConditions"],
                publication=Service.Publication.PUBLISHED,
                needs_review=row["status"] == "review_required",
                hours_text=row["openingHours"],
                closed_days_text=row["closedDays"],
                hours_parsed=None if hours is None else hours.parsed,
                last_verified_on=datetime.date.fromisoformat(row["lastVerifiedAt"]) if row["lastVerifiedAt"] else None,
            )
            made[Service].append(service)
            location = Location(
                platform=platform,
                organization=org,
                name=row["name"][:300],
                postal_code=row["postalCode"][:8],
                address_1=row["address"][:300],
                municipality_id=code,
            )
            made[Location].append(location)
            made[ServiceAtLocation].append(ServiceAtLocation(platform=platform, service=service, location=location))
            for kind, value in (
                (Channel.Kind.PHONE, row["phone"]),
                (Channel.Kind.FAX, row["fax"]),
                (Channel.Kind.EMAIL, row["email"]),
            ):
                if value:
                    made[Channel].append(Channel(platform=platform, service=service, kind=kind, value=value[:500]))
            if code:
                made[ServiceArea].append(
                    ServiceArea(platform=platform, service=service, kind="municipality", municipality_id=code)
                )
            elif row["prefectureCode"]:
                made[ServiceArea].append(
                    ServiceArea(
                        platform=platform,
                        service=service,
                        kind="prefecture",
                        prefecture_id=row["prefectureCode"].zfill(2),
                    )
                )
            if hours is not None and hours.parsed:
                for opening in hours.openings:
                    made[Schedule].append(
                        Schedule(
                            platform=platform,
                            service=service,
                            byday=weekdays_to_byday(opening.weekdays),
                            opens_at=opening.opens_at,
                            closes_at=opening.closes_at,
                            closed_on_holidays=hours.closed_on_holidays,
                            closed_year_end=hours.closed_year_end,
                        )
                    )
            need = terms.get(CATEGORY_NEEDS.get(row["categoryId"], "unsure"))
            if need is not None:
                links.append(Service.terms.through(service=service, taxonomyterm=need))
        # UUID primary keys exist before saving, so rows can point at each other across bulk inserts.
        Organization.objects.bulk_create(organizations.values(), batch_size=1000)
        for model, objects in made.items():
            model.objects.bulk_create(objects, batch_size=1000)
        Service.terms.through.objects.bulk_create(links, batch_size=1000)
    if connection.vendor == "sqlite":
        # As the project's import does (through the search reindex): without statistics SQLite
        # scans a whole platform for each scoped look-up instead of using the foreign-key index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Loaded {len(made[Service]):,} services from offices.csv.", flush=True)


if __name__ == "__main__":
    main()
