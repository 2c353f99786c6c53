"""The portal's search page under load (gunicorn, 2 workers, 50 clients, 60 s) against the /healthz floor.

    .venv/bin/python bench/portal_load.py [--seconds 60] [--clients 50] [--workers 2] [--tool auto|wrk|python]

Builds a fresh database in a temporary DATA_DIR, as `make demo` does: `python -m tsunagari migrate`,
the real くらし支援ナビ windows with `python -m tsunagari import`, then `python -m tsunagari
seed-demo` for the demo platforms (the 18 first-round bodies: /kamakura/, /kyoto-city/ …). Starts
gunicorn on 127.0.0.1 with the given sync workers like `make demo` (no Redis, each worker with its
own in-memory cache; the search page does not use the cache), without the access log and with
RATELIMIT_ENABLE=false; static files are not collected (STATIC_MANIFEST=false): wrk fetches only
the HTML. The server and the load generators are api_load.py's, imported.

The mix: GET /<slug>/search/?q=<word> for every word of search_bench.py's WORDS, on four portals —
the national one (/zenkoku/, every service in the country), 鎌倉市 (/kamakura/), 京都市
(/kyoto-city/) and 大阪府 (/osaka-pref/). One query in five also carries filters, in turn
need=<a need of search_bench.py's NEEDS>, open_now=on, area=<a postal code in the portal's area>
and their combinations (the GET names of tsunagari/portal/forms.py SearchForm). Page 2 is added for
one plain query in four, when page 1 links to it (a resident reaches page 2 only through "Next").
Before any timing, every path of the mix is requested once and must answer 200, and a search for
「相談」 must list results on every portal: otherwise the bench stops and says why.

Phases of the same length and concurrency, through the same load generator:
1. the floor: GET /healthz (one `SELECT 1`), the most this server stack can do on this machine;
2. the search mix (the target), each request picked at random;
3. the floor again: with the load average recorded after each phase, whether other work on the
   machine disturbed the run.
Writes bench/results/portal_load.md. Traffic goes only to 127.0.0.1; every phase is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from api_load import (
    GENERATORS,
    HOST,
    ROOT,
    bench_env,
    choose_tool,
    fmt_load,
    load_data,
    manage,
    phase_table,
    start_gunicorn,
    timed,
)
from search_bench import NEEDS, WORDS

RESULTS = ROOT / "bench" / "results" / "portal_load.md"
TARGET_RPS = 150.0
COMMON_WORD = "相談"

# Portal slug → postal codes inside its area (Japan Post). "zenkoku" is the national platform's
# slug (tsunagari/tenancy/models.py, national_platform()); the others come from seed-demo.
PORTALS: dict[str, list[str]] = {
    "zenkoku": ["248-0014", "060-0000", "100-0001", "460-0001", "530-0001", "680-0011", "900-0014"],
    "kamakura": ["248-0014", "248-0005", "247-0056"],
    "kyoto-city": ["604-8571", "600-8216", "606-8501"],
    "osaka-pref": ["530-0001", "540-0008", "590-0078"],
}
# The filters one query in five carries, in turn.
FILTER_SETS = [
    ("need",),
    ("open_now",),
    ("area",),
    ("need", "open_now"),
    ("need", "area"),
    ("need", "open_now", "area"),
]
RESULTS_LIST = re.compile(r'<ol class="results">.*?</ol>', re.S)


# ---------------------------------------------------------------------------------------------
# Setting up (page_weight.py uses this too)
# ---------------------------------------------------------------------------------------------


def set_up_portals(tmp: Path, *, static: bool = False) -> tuple[dict[str, str], str]:
    """A fresh database with the real windows and the demo platforms, as `make demo` builds it.

    With static=True the static files are collected as `make demo` does (the default storage:
    WhiteNoise's compressed manifest storage, STATIC_MANIFEST=true); without it they are not, and
    the server answers only pages.
    """
    env = bench_env(tmp, None, rate_limit=False)
    if static:
        env["STATIC_MANIFEST"] = "true"
    print(f"Database in {tmp}; migrating …", flush=True)
    manage(env, "migrate", "--no-input", "-v0")
    loader = load_data(env)
    print("Creating the demo platforms with `python -m tsunagari seed-demo` …", flush=True)
    # Its output lists the demo accounts and their passwords: not needed here.
    subprocess.run(
        [sys.executable, "-m", "tsunagari", "seed-demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    if static:
        print("Collecting static files (compressed manifest storage, as `make demo`) …", flush=True)
        manage(env, "collectstatic", "--no-input", "-v0")
    return env, loader


def fetch(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def result_links(page: str, slug: str) -> list[str]:
    """The service links of a results page (empty when nothing matched or no search ran)."""
    block = RESULTS_LIST.search(page)
    if block is None:
        return []
    return [html.unescape(href) for href in re.findall(rf'href="(/{re.escape(slug)}/services/[^"]+/)"', block[0])]


# ---------------------------------------------------------------------------------------------
# The mix
# ---------------------------------------------------------------------------------------------


def search_path(slug: str, params: list[tuple[str, str]]) -> str:
    return f"/{slug}/search/?{urllib.parse.urlencode(params)}"


def search_mix(base: str) -> dict[str, Any]:
    """Every path of the mix, each checked once (200, and results for the common word)."""
    first_pages: list[tuple[str, bool]] = []  # (path, whether it is a plain query without filters)
    n = 0
    for slug, postal_codes in PORTALS.items():
        for word in WORDS:
            params = [("q", word)]
            if n % 5 == 4:
                turn = n // 5
                for name in FILTER_SETS[turn % len(FILTER_SETS)]:
                    if name == "need":
                        params.append(("need", NEEDS[turn % len(NEEDS)]))
                    elif name == "open_now":
                        params.append(("open_now", "on"))
                    else:
                        params.append(("area", postal_codes[turn % len(postal_codes)]))
            first_pages.append((search_path(slug, params), len(params) == 1))
            n += 1
    print(f"Checking the {len(first_pages)} first pages of the mix …", flush=True)
    empty: list[str] = []
    second_pages: list[str] = []
    plain = 0
    for path, is_plain in first_pages:
        status, page = fetch(base, path)
        if status != 200:
            sys.exit(f"{path} answered {status}, not 200: the mix is not what the bench should time.")
        if 'class="errors"' in page:
            sys.exit(f"{path}: the search form refused the query (see its errors): fix the mix.")
        if not result_links(page, path.split("/")[1]):
            empty.append(path)
        if is_plain:
            plain += 1
            if plain % 4 == 1 and "&amp;page=2" in page:
                second_pages.append(path + "&page=2")
    for path in second_pages:
        status, page = fetch(base, path)
        if status != 200 or not result_links(page, path.split("/")[1]):
            sys.exit(f"{path} answered {status} without results, though page 1 links to it.")
    for slug in PORTALS:
        path = search_path(slug, [("q", COMMON_WORD)])
        status, page = fetch(base, path)
        if status != 200 or not result_links(page, slug):
            sys.exit(f"{path} answered {status} with no results: the data or the demo platforms did not load.")
    return {
        "mix": [path for path, _plain in first_pages] + second_pages,
        "first": len(first_pages),
        "filtered": len(first_pages) - plain,
        "second": len(second_pages),
        "empty": empty,
    }


# ---------------------------------------------------------------------------------------------
# Run and report
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    tool = choose_tool(args.tool)
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        env, loader = set_up_portals(Path(tmp))
        results: list[dict[str, Any]] = []
        # First every request rendered (the page cache off), then as deployed (anonymous pages cached
        # for a minute, each worker its own cache as `make demo` has no Redis).
        for cache_seconds, name in (("0", "search mix, page cache off"), ("60", "search mix, page cache on (target)")):
            server = start_gunicorn(
                {**env, "PORTAL_PAGE_CACHE_SECONDS": cache_seconds}, args.workers, Path(tmp) / "gunicorn.log"
            )
            try:
                mix = search_mix(f"http://{HOST}:{server.port}")
                if not results:
                    results.append(timed("floor: /healthz (before)", ["/healthz"], tool, server.port, args, Path(tmp)))
                results.append(timed(name, mix["mix"], tool, server.port, args, Path(tmp)))
                if cache_seconds != "0":
                    results.append(timed("floor: /healthz (after)", ["/healthz"], tool, server.port, args, Path(tmp)))
            finally:
                server.stop()
    write_results(results, args, tool, loader, mix, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def write_results(
    results: list[dict[str, Any]],
    args: argparse.Namespace,
    tool: str,
    loader: str,
    mix: dict[str, Any],
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    command = ["bench/portal_load.py"]
    for flag, default in (("seconds", 60), ("clients", 50), ("workers", 2)):
        if getattr(args, flag) != default:
            command += [f"--{flag}", str(getattr(args, flag))]
    if args.tool != "auto":
        command += ["--tool", args.tool]
    floors = [r["rps"] for r in results if r["name"].startswith("floor")]
    floor = sum(floors) / len(floors)
    lines = [
        "# The portal's search page under load",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; load average (1, 5, 15 min)"
        f" {fmt_load(load_before)} before, {fmt_load(load_after)} after.",
        "",
        f"Command: `.venv/bin/python {' '.join(command)}`",
        "",
        f"Target: ≥ {TARGET_RPS:.0f} requests/s on the search pages with no errors"
        f" (gunicorn, {args.workers} sync workers, {args.clients} concurrent clients, {args.seconds} s per phase).",
        "",
        *phase_table(results, floor),
    ]
    uncached, search = results[1], results[2]
    met = search["rps"] >= TARGET_RPS and search["errors"] == 0
    slugs = ", ".join(f"/{slug}/" for slug in PORTALS)
    empty = len(mix["empty"])
    lines += [
        "",
        f"Meets the target: {'yes' if met else 'no'} with the page cache as deployed ({search['rps']:.0f} req/s,"
        f" {search['errors']} errors; {search['rps'] / floor:.0%} of the mean /healthz floor). With every page"
        f" rendered (PORTAL_PAGE_CACHE_SECONDS=0): {uncached['rps']:.0f} req/s, {uncached['errors']} errors.",
        "",
        "The page cache (tsunagari/portal/pagecache.py) keeps an anonymous resident's results page for at most"
        " 60 s, keyed by the address, the language, the directory's version and the minute (the page says which"
        " windows are open now). With this mix of 116 addresses each worker renders every page once a minute"
        " and serves the rest from its cache: real traffic has more distinct searches and fewer repeats, so the"
        " figure with every page rendered is the floor of what residents get.",
        "",
        f"What was measured: {len(mix['mix'])} search pages, each request picked uniformly at random: the"
        f" {len(WORDS)} words of bench/search_bench.py (WORDS) on the portals {slugs}"
        f" ({mix['first']} first pages, of which {mix['filtered']} — one in five — also carry filters:"
        " need=<one of search_bench.py's NEEDS>, open_now=on, area=<a postal code of the portal's area>, alone and"
        f" combined), and {mix['second']} second pages (page=2 of a plain query whose first page links to it)."
        f" Every path answered 200 before the timing, and 「{COMMON_WORD}」 lists results on every portal;"
        f" {empty} of the first pages find nothing (a filtered query can rightly match no window). /zenkoku/ is"
        " the national portal: it searches every service in the country; a city's or a prefecture's portal"
        " searches its own area and the nationwide services.",
        "",
        f"Data: {loader}, then `python -m tsunagari seed-demo` (the 18 demo platforms and their demo windows).",
        "",
        f"Server: `gunicorn tsunagari.wsgi --workers {args.workers}` (sync workers, as `make demo`, without the"
        " access log), SQLite in a temporary DATA_DIR, DEBUG off, RATELIMIT_ENABLE=false, no Redis (as `make"
        " demo`: each worker has its own in-memory cache). Only the HTML is requested, not the CSS and JS it"
        " links to (bench/page_weight.py weighs those).",
        "",
        "The floor view runs one `SELECT 1` through the same middleware and gunicorn: a search page cannot be"
        " faster; its share of the floor is what the search, the template and the larger response cost.",
        "",
        f"Load generator: {GENERATORS[tool]};"
        " it runs on the same machine as the server. Latency is per request at the client; errors are"
        " socket errors, timeouts (10 s) and HTTP statuses of 400 and above.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
