"""Import of the real くらし支援ナビ folder into a fresh database, against the floor of just reading it.

    .venv/bin/python bench/import_bench.py [--vendors sqlite,postgresql] [--repeat 3]

For each database and each repetition: migrate a fresh bench database (not timed), then, each in
its own child process so that peak memory (ru_maxrss) is the phase's own:

- floor: read the CSV and JSON files with the csv and json modules, nothing else;
- parse: the importer's parser (records and problems, hours parsed, no database);
- import: `run_import` into the empty database (areas, services, history, the ImportRun row, and
  the search index when tsunagari.search is installed);
- re-import: the same folder again, which must change nothing.

Times are wall-clock seconds inside the child (Django start-up excluded), medians over the
repetitions with the fastest in brackets. Writes bench/results/import.md.

PostgreSQL: the local server at postgres://postgres@127.0.0.1:5432 (BENCH_PG_URL to change); the
bench creates the database `tsunagari_import_bench` and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KURASHI = ROOT.parent / "shared" / "data" / "kurashi-navi"
RESULTS = ROOT / "bench" / "results" / "import.md"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "tsunagari_import_bench"
TARGET_S = 60.0
PHASES = ("floor", "parse", "import", "reimport")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)  # a child's work
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(child(args.phase)), flush=True)
        return
    load = os.getloadavg()
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for vendor in args.vendors.split(","):
        runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
        for _ in range(args.repeat):
            for phase, result in run_once(vendor).items():
                runs[phase].append(result)
        results[vendor] = runs
        print(vendor, {phase: [round(r["seconds"], 2) for r in rs] for phase, rs in runs.items()}, flush=True)
    write_results(results, load, args.repeat)


def run_once(vendor: str) -> dict[str, dict[str, Any]]:
    """One fresh database: migrate, then each phase in its own process."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tsunagari.settings", PYTHONPATH=str(ROOT))
    tmp = None
    if vendor == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="import-bench-")
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        psql(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"{PG_URL}/{PG_DB}"
    try:
        # --skip-checks: the bench measures the importer, not whether every URLconf imports today.
        subprocess.run(
            [sys.executable, "-m", "tsunagari", "migrate", "-v0", "--skip-checks"], env=env, cwd=ROOT, check=True
        )
        return {phase: run_child(phase, env) for phase in PHASES}
    finally:
        if tmp is not None:
            tmp.cleanup()
        else:
            psql(f"DROP DATABASE IF EXISTS {PG_DB}")


def run_child(phase: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase], env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_URL + "/postgres", "-qc", sql], check=True)


def child(phase: str) -> dict[str, Any]:
    """Do one phase in this process and say how long it took and how much memory it peaked at."""
    import resource
    import time

    if phase == "floor":
        import csv

        started = time.perf_counter()
        rows = 0
        for name in ("offices.csv", "municipalities.csv", "prefectures.csv", "sources.csv"):
            with (KURASHI / name).open(encoding="utf-8-sig", newline="") as f:
                rows += sum(1 for _row in csv.DictReader(f))
        rows += len(json.loads((KURASHI / "emergency-contacts.json").read_text(encoding="utf-8")))
        seconds = time.perf_counter() - started
        extra: dict[str, Any] = {"rows": rows}
    else:
        import django

        django.setup()
        from django.apps import apps

        started = time.perf_counter()
        if phase == "parse":
            from tsunagari.directory.importers import kurashi_navi

            result = kurashi_navi.parse(KURASHI)
            extra = {"services": len(result.services), "problems": len(result.problems), **result.counts}
        else:
            from tsunagari.directory.importers import writer
            from tsunagari.directory.importers.run import run_import

            # The search index is rebuilt after the commit; time that part on its own too.
            index_seconds = [0.0]
            after_import = writer.after_import

            def timed_after_import(service_ids: Any) -> None:
                index_started = time.perf_counter()
                after_import(service_ids)
                index_seconds[0] += time.perf_counter() - index_started

            writer.after_import = timed_after_import
            outcome = run_import(KURASHI, actor="import_bench")
            assert outcome.ok, outcome.problems[:5]
            extra = {
                "counts": {kind: vars(c) for kind, c in outcome.counts.items()},
                "changed": outcome.changed,
                "rows": outcome.parse_counts,
                "search_index": apps.is_installed("tsunagari.search"),
                "index_seconds": index_seconds[0],
            }
        seconds = time.perf_counter() - started
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"phase": phase, "seconds": seconds, "maxrss_mb": maxrss_mb, **extra}


def write_results(
    results: dict[str, dict[str, list[dict[str, Any]]]], load: tuple[float, float, float], repeat: int
) -> None:
    def cell(runs: list[dict[str, Any]], key: str, fmt: str) -> str:
        values = [r[key] for r in runs]
        return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)})"

    lines = [
        "# Import of the real くらし支援ナビ folder",
        "",
        f"Run {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {os.cpu_count()} CPUs, "
        "load average at the start "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; {repeat} fresh databases per vendor.",
        "",
        "    .venv/bin/python bench/import_bench.py --vendors sqlite,postgresql --repeat " + str(repeat),
        "",
        f"Target: the import under {TARGET_S:.0f} s. Seconds are wall time inside the process (Django start-up",
        "excluded): median (fastest). Peak memory is the process's maximum resident set (ru_maxrss): median.",
        "",
        "| database | phase | seconds | peak memory (MB) | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    what = {
        "floor": "read offices.csv and the other files with `csv` and `json` only (the floor)",
        "parse": "the importer's parser: records, problems, opening hours (no database)",
        "import": "`run_import` into the empty database: areas, services, history, ImportRun",
        "reimport": "the same folder again: compares everything, writes nothing",
    }
    for vendor, runs in results.items():
        for phase in PHASES:
            memory = statistics.median(r["maxrss_mb"] for r in runs[phase])
            lines.append(
                f"| {vendor} | {phase} | {cell(runs[phase], 'seconds', '.2f')} | {memory:.0f} | {what[phase]} |"
            )
            if phase == "import" and runs[phase][0]["search_index"]:
                lines.append(
                    f"| {vendor} | of which search index | {cell(runs[phase], 'index_seconds', '.2f')} | | "
                    "`reindex_services` of every new service, after the commit |"
                )
    first = next(iter(results.values()))
    imported = first["import"][0]
    reimported = first["reimport"][0]
    verdict = all(statistics.median(r["seconds"] for r in runs["import"]) < TARGET_S for runs in results.values())
    lines += [
        "",
        f"Target met: {'yes' if verdict else 'NO'}. "
        "Search index built during the import: "
        + ("yes." if imported["search_index"] else "no (tsunagari.search not installed)."),
        "",
        f"Rows written by the first import (the re-import wrote none: changed = {reimported['changed']}):",
        "",
        "| kind | created | unchanged on re-import |",
        "| --- | --- | --- |",
    ]
    for kind, counts in imported["counts"].items():
        lines.append(f"| {kind} | {counts['created']:,} | {reimported['counts'][kind]['unchanged']:,} |")
    rows = imported["rows"]
    lines += [
        "",
        f"offices.csv records: {rows['rows']:,}; opening hours structured {rows['hours_parsed']:,}, not understood "
        f"{rows['hours_unparsed']:,}, none given {rows['hours_missing']:,}; areas by municipality "
        f"{rows['area_municipality']:,}, by prefecture {rows['area_prefecture']:,}, "
        f"unresolved {rows['area_unresolved']:,}.",
        "Each created row also gets one django-simple-history row (written in bulk), so the first import",
        "writes about twice the rows above.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"Wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
