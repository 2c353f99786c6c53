"""Search latency at 10k and 100k services on SQLite and PostgreSQL, against the bare FTS floor.

    .venv/bin/python bench/search_bench.py [--sizes 10000,100000] [--vendors sqlite,postgresql] [--queries 300]

For each database: migrate a fresh bench database, load the real くらし支援ナビ windows with the
project's importer, scale them up to each size by cloning services into other municipalities with
other names, index, then time realistic queries through `resident_search` — `search_services` with the
needs understood from the words, as the portal's results page and the API call it (server-side, no
HTTP). In the same run and
for the same queries, the floor is the bare full-text query over the same rows: on SQLite
`SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(search_fts) LIMIT 20`, on
PostgreSQL the same tsquery on the GIN index ordered by ts_rank_cd. The two are interleaved query
by query, so that noise from other processes falls on both alike. Writes bench/results/search.md.

PostgreSQL: the local server at postgres://postgres@127.0.0.1:5432 (BENCH_PG_URL to change); the
bench creates the database `tsunagari_search_bench` and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KURASHI = ROOT.parent / "shared" / "data" / "kurashi-navi"
RESULTS = ROOT / "bench" / "results" / "search.md"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "tsunagari_search_bench"
TARGET_P95_MS = 30.0
# The national portal searches every service in the country (the worst case); a city's portal
# (横浜市, the largest) searches its own area and the nationwide services.
PORTALS = ("national", "yokohama")
TARGET_RATIO = 3.0

# Words people type, all present in the real data (names, descriptions, eligibility).
WORDS = [
    "生活保護",
    "住居確保給付金",
    "相談",
    "自立相談支援",
    "福祉事務所",
    "家賃",
    "生活困窮",
    "社会福祉協議会",
    "ひとり親",
    "子ども",
    "DV",
    "借金",
    "仕事",
    "就労",
    "食料",
    "フードバンク",
    "市役所",
    "申請",
    "窓口",
    "生活 相談",
    "住まい 相談",
    "子育て 支援",
    "ひきこもり",
    "福祉 課",
    "緊急小口資金",
    "多重債務",
    "暮らし サポート センター",
]
NEEDS = ["money", "housing", "debt", "violence", "work", "food", "unsure", "children"]
# A few real postal codes and municipality codes (Japan Post, 全国地方公共団体コード).
POSTAL_CODES = ["248-0014", "060-0000", "100-0001", "460-0001", "530-0001", "680-0011", "900-0014"]
MUNICIPALITIES = ["142042", "011002", "131016", "231002", "271004", "312010", "472018"]


# ---------------------------------------------------------------------------
# Parent: one child process per database (Django reads DATABASE_URL once)
# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--vendors", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.worker:
        worker(args.worker, sizes, args.queries)
        return
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    for vendor in args.vendors.split(","):
        runs.extend(run_vendor(vendor, args.sizes, args.queries))
    write_results(runs, args, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def run_vendor(vendor: str, sizes: str, queries: int) -> list[dict[str, Any]]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    tmp = None
    if vendor == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="search-bench-")
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        psql("DROP DATABASE IF EXISTS " + PG_DB)
        psql("CREATE DATABASE " + PG_DB)
        env["DATABASE_URL"] = f"{PG_URL}/{PG_DB}"
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", vendor, "--sizes", sizes, "--queries", str(queries)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        if tmp is not None:
            tmp.cleanup()
        else:
            psql("DROP DATABASE IF EXISTS " + PG_DB)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_URL + "/postgres", "-qc", sql], check=True)


# ---------------------------------------------------------------------------
# Worker: build, index, time
# ---------------------------------------------------------------------------


def worker(vendor: str, sizes: list[int], query_count: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)  # loads the areas too
    loader = load_real_data()
    for size in sorted(sizes):
        build_started = time.perf_counter()
        scale_to(size)
        built = time.perf_counter() - build_started
        from tsunagari.search.index import reindex_services

        index_started = time.perf_counter()
        indexed = reindex_services()
        index_seconds = time.perf_counter() - index_started
        if vendor == "postgresql":
            # The steady state: autovacuum would have analysed the tables and merged the GIN
            # index's pending list within a minute of the import.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        for portal in PORTALS:
            result = time_queries(vendor, query_count, portal)
            result.update(
                vendor=vendor,
                size=size,
                portal=portal,
                indexed=indexed,
                loader=loader,
                build_s=built,
                index_s=index_seconds,
            )
            print(json.dumps(result), flush=True)


def load_real_data() -> str:
    """The real windows, through the project's importer."""
    from django.core.management import call_command

    call_command("import", str(KURASHI), skip_checks=True, stdout=io.StringIO())
    return "project importer (`python -m tsunagari import`)"


def scale_to(size: int) -> None:
    """Clone real services, each into another municipality with that municipality's name, up to `size`."""
    from django.db import transaction

    from tsunagari.directory.models import (
        Channel,
        Location,
        Schedule,
        Service,
        ServiceArea,
        ServiceAtLocation,
    )
    from tsunagari.tenancy.models import Municipality
    from tsunagari.tenancy.scoping import scopes_disabled

    rng = random.Random(size)
    with scopes_disabled(), transaction.atomic():
        have = Service.objects.count()
        if have >= size:
            return
        originals = list(
            Service.objects.filter(source_id__isnull=False)
            .exclude(source_id__startswith="bench-clone-")
            .prefetch_related("terms", "channels", "schedules")
        )
        municipalities = list(Municipality.objects.all())
        for start in range(have, size, 5000):
            services, locations, links, channels, schedules, areas, terms = [], [], [], [], [], [], []
            for number in range(start, min(start + 5000, size)):
                original = originals[number % len(originals)]
                place = rng.choice(municipalities)
                clone = Service(
                    platform_id=original.platform_id,
                    organization_id=original.organization_id,
                    source_id=f"bench-clone-{number}",
                    dataset_id=original.dataset_id,
                    name=f"{place.name} {original.name}"[:300],
                    alternate_name=original.alternate_name,
                    description=original.description,
                    eligibility_description=original.eligibility_description,
                    publication=original.publication,
                    status=original.status,
                    languages=original.languages,
                    hours_parsed=original.hours_parsed,
                )
                services.append(clone)
                location = Location(
                    platform_id=original.platform_id,
                    name=clone.name,
                    city=place.name,
                    municipality_id=place.code,
                )
                locations.append(location)
                links.append(ServiceAtLocation(platform_id=original.platform_id, service=clone, location=location))
                areas.append(
                    ServiceArea(
                        platform_id=original.platform_id, service=clone, kind="municipality", municipality_id=place.code
                    )
                )
                for channel in original.channels.all():
                    channels.append(
                        Channel(platform_id=original.platform_id, service=clone, kind=channel.kind, value=channel.value)
                    )
                for schedule in original.schedules.all():
                    schedules.append(
                        Schedule(
                            platform_id=original.platform_id,
                            service=clone,
                            byday=schedule.byday,
                            opens_at=schedule.opens_at,
                            closes_at=schedule.closes_at,
                            open_24h=schedule.open_24h,
                            closed_on_holidays=schedule.closed_on_holidays,
                            closed_year_end=schedule.closed_year_end,
                        )
                    )
                terms.extend(Service.terms.through(service=clone, taxonomyterm=term) for term in original.terms.all())
            for model, objects in (
                (Service, services),
                (Location, locations),
                (ServiceAtLocation, links),
                (Channel, channels),
                (Schedule, schedules),
                (ServiceArea, areas),
                (Service.terms.through, terms),
            ):
                model.objects.bulk_create(objects, batch_size=1000)


def make_queries(count: int) -> list[dict[str, Any]]:
    """Realistic searches: words alone, words with filters, and filters alone."""
    rng = random.Random(42)
    queries: list[dict[str, Any]] = []
    for number in range(count):
        kind = number % 6
        query: dict[str, Any] = {"text": rng.choice(WORDS)}
        if kind == 1:
            query["needs"] = (rng.choice(NEEDS),)
        elif kind == 2:
            query["open_now"] = True
        elif kind == 3:
            query["postal_code"] = rng.choice(POSTAL_CODES)
        elif kind == 4:
            query["municipality_code"] = rng.choice(MUNICIPALITIES)
            query["channels"] = ("phone",)
        elif kind == 5:
            query = {"needs": (rng.choice(NEEDS),), "open_now": rng.random() < 0.5}
        queries.append(query)
    return queries


def portal_platform(portal: str) -> Any:
    from tsunagari.tenancy.models import Platform, national_platform

    if portal == "national":
        return national_platform()
    platform, _created = Platform.objects.get_or_create(
        slug="bench-yokohama",
        defaults={"name": "横浜市（ベンチ）", "kind": "municipality", "municipality_id": "141003"},
    )
    return platform


def time_queries(vendor: str, count: int, portal: str) -> dict[str, Any]:
    from django.db import connection

    from tsunagari.finder.search import resident_search as search_services
    from tsunagari.lib.hours import JST
    from tsunagari.lib.japanese import analyze_query
    from tsunagari.search.facets import all_of, term
    from tsunagari.search.query import MAX_MATCHES

    platform = portal_platform(portal)
    # A weekday morning, so that "open now" has something to find.
    now = datetime.datetime(2026, 7, 1, 10, 30, tzinfo=JST)
    queries = make_queries(count)

    def floor(text: str) -> None:
        tokens = analyze_query(text)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                match = "body : " + all_of(*map(term, tokens)).fts5()
                cursor.execute(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY bm25(search_fts) LIMIT 20", [match]
                )
            else:
                cursor.execute(
                    "SELECT id FROM search_servicedocument WHERE tsv @@ plainto_tsquery('simple', %s)"
                    " ORDER BY ts_rank_cd(tsv, plainto_tsquery('simple', %s), 2) DESC LIMIT 20",
                    [" ".join(tokens), " ".join(tokens)],
                )
            cursor.fetchall()

    # As the portal's results page calls it: names, phone numbers and whether open now.
    relations = ("channels", "schedules")
    for query in queries[:20]:  # warm up: the dictionary, the caches, the connection
        search_services(platform=platform, now=now, relations=relations, **query)
        if query.get("text"):
            floor(query["text"])
    with_text: list[float] = []
    filters_only: list[float] = []
    floors: list[float] = []
    totals: list[int] = []
    capped = 0
    for query in queries:
        started = time.perf_counter()
        results = search_services(platform=platform, now=now, relations=relations, **query)
        elapsed = (time.perf_counter() - started) * 1000
        totals.append(results.total)
        capped += results.more
        if query.get("text"):
            with_text.append(elapsed)
            started = time.perf_counter()
            floor(query["text"])
            floors.append((time.perf_counter() - started) * 1000)
        else:
            filters_only.append(elapsed)
    return {
        "queries": len(queries),
        "text": summary(with_text),
        "filters_only": summary(filters_only),
        "floor": summary(floors),
        "median_total": statistics.median(totals),
        "capped": capped,
        "max_matches": MAX_MATCHES,
        "load": os.getloadavg(),
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50": 0.0, "p95": 0.0}
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def write_results(
    runs: list[dict[str, Any]],
    args: argparse.Namespace,
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    lines = [
        "# Search latency",
        "",
        f"Run {started:%Y-%m-%d %H:%M %Z} on {os.cpu_count()} cores; load average (1, 5, 15 min) "
        f"{fmt_load(load_before)} before, {fmt_load(load_after)} after.",
        "",
        "Command: `.venv/bin/python bench/search_bench.py"
        + (f" --sizes {args.sizes}" if args.sizes != "10000,100000" else "")
        + (f" --vendors {args.vendors}" if args.vendors != "sqlite,postgresql" else "")
        + (f" --queries {args.queries}" if args.queries != 300 else "")
        + "`",
        "",
        f"Targets: p95 ≤ {TARGET_P95_MS:.0f} ms, and p95 ≤ {TARGET_RATIO:.0f}× the floor's p95 (queries with words).",
        "",
        "| database | services | portal | queries with words p50 / p95 | floor p50 / p95 | p95 ÷ floor p95 "
        f"| filters only p50 / p95 | more than {runs[0]['max_matches']:,} matches | index build | load during "
        "| meets targets |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        text, floor_, filters = run["text"], run["floor"], run["filters_only"]
        ratio = text["p95"] / floor_["p95"] if floor_["p95"] else float("inf")
        ok = text["p95"] <= TARGET_P95_MS and ratio <= TARGET_RATIO and filters["p95"] <= TARGET_P95_MS
        lines.append(
            f"| {run['vendor']} | {run['size']:,} | {run['portal']} | {text['p50']:.1f} / {text['p95']:.1f} ms "
            f"| {floor_['p50']:.1f} / {floor_['p95']:.1f} ms | {ratio:.1f}× "
            f"| {filters['p50']:.1f} / {filters['p95']:.1f} ms | {run['capped']} of {run['queries']} "
            f"| {run['indexed']:,} in {run['index_s']:.1f} s "
            f"| {fmt_load(run['load'])} | {'yes' if ok else 'no'} |"
        )
    loaders = sorted({run["loader"] for run in runs})
    lines += [
        "",
        f"Data: the real くらし支援ナビ windows loaded by the {'; '.join(loaders)}, then cloned into other "
        "municipalities (name prefixed with the municipality's name, area and location moved there) up to "
        "each size. Queries: "
        f"{args.queries} per run, from words found in the data ({', '.join(WORDS[:6])}, …), one in six with a "
        "need, with “open now” (a weekday 10:30), with a postal code, with a municipality and a channel, or "
        "with filters and no words; each on the national portal (every service in the country) and on a "
        "city's portal (横浜市: its area and the nationwide services). Latency is `resident_search` (the "
        "finder's understanding of the words, then `search_services` with the needs understood) end to end "
        "in the process (analysis, count, page, loading the 20 services with what a results page shows). "
        "The floor is the bare full-text query for the same words, run right after each search: it "
        f"scores every match, while `search_services` counts and orders at most {runs[0]['max_matches']:,} "
        f"(`MAX_MATCHES`) and says “more than {runs[0]['max_matches']:,}” above that — the column “more than "
        f"{runs[0]['max_matches']:,} matches” says how many queries that was. Both are timed on the same rows "
        "in the same run.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def fmt_load(load: tuple[float, float, float] | list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


if __name__ == "__main__":
    main()
