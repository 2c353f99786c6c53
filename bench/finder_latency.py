"""Finder latency: `find` p95 (target 50 ms) and a chatbot turn p95 (target 100 ms) over a scaled directory.

    .venv/bin/python bench/finder_latency.py [--size 100000] [--vendors sqlite,postgresql] [--texts 200]

Builds the directory the way bench/search_bench.py does (its helpers: the real くらし支援ナビ windows
through the project's importer, cloned into other municipalities up to --size, indexed), then times
`find` for realistic texts (the dev cases, crisis cases included) on the national portal and on a
city's portal, and chat turns: a first message (`dialogue.start`) and a tapped answer
(`dialogue.answer`). Writes bench/results/finder_latency.md with the load average and the command.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import search_bench  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "finder_latency.md"
CASE_FILES = (
    ROOT.parent / "shared" / "finder" / "dev-cases.jsonl",
    ROOT / "tests" / "finder" / "data" / "heldout.jsonl",
    ROOT / "tests" / "finder" / "data" / "fresh.jsonl",
)
FIND_TARGET_MS, TURN_TARGET_MS = 50.0, 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--vendors", default="sqlite,postgresql")
    parser.add_argument("--vendor", help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=int, default=400)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    for vendor in args.vendors.split(","):
        runs.extend(run_vendor(vendor, args))
    write_results(runs, args, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def run_vendor(vendor: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tsunagari.settings")
    tmp = tempfile.TemporaryDirectory(prefix="finder-bench-")
    if vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        search_bench.psql("DROP DATABASE IF EXISTS " + search_bench.PG_DB)
        search_bench.psql("CREATE DATABASE " + search_bench.PG_DB)
        env["DATABASE_URL"] = f"{search_bench.PG_URL}/{search_bench.PG_DB}"
    try:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                "--size",
                str(args.size),
                "--vendor",
                vendor,
                "--texts",
                str(args.texts),
            ],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        tmp.cleanup()
        if vendor != "sqlite":
            search_bench.psql("DROP DATABASE IF EXISTS " + search_bench.PG_DB)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)  # loads the areas too
    search_bench.load_real_data()
    search_bench.scale_to(args.size)
    from tsunagari.search.index import reindex_services

    reindex_services()
    if args.vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    from tsunagari.finder import dialogue
    from tsunagari.finder.ranking import find
    from tsunagari.lib.hours import JST

    # Distinct texts (the dev cases first, then our held-out sets), so that no cache of a
    # repeated text can flatter the figures; repeated only if --texts asks for more than there are.
    texts = list(
        dict.fromkeys(
            json.loads(line)["text"]
            for path in CASE_FILES
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
    )
    texts = (texts * (args.texts // max(1, len(texts)) + 1))[: args.texts]
    now = datetime.datetime(2026, 7, 1, 10, 30, tzinfo=JST)
    for portal in search_bench.PORTALS:
        platform = search_bench.portal_platform(portal)
        for text in texts[:10]:
            find(text, platform=platform, now=now)
        finds, starts, answers = [], [], []
        for text in texts:
            began = time.perf_counter()
            find(text, platform=platform, now=now)
            finds.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            turn = dialogue.start(text, platform=platform, now=now)
            starts.append((time.perf_counter() - began) * 1000)
            if turn.question is not None:
                value = turn.question.options[0][0] if turn.question.options else "横浜市"
                began = time.perf_counter()
                dialogue.answer(turn.id, turn.question.code, value, platform=platform, now=now)
                answers.append((time.perf_counter() - began) * 1000)
        print(
            json.dumps(
                {
                    "vendor": args.vendor,
                    "size": args.size,
                    "portal": portal,
                    "texts": len(texts),
                    "find": search_bench.summary(finds),
                    "start": search_bench.summary(starts),
                    "answer": search_bench.summary(answers),
                    "load": os.getloadavg(),
                }
            ),
            flush=True,
        )


def write_results(
    runs: list[dict[str, Any]],
    args: argparse.Namespace,
    started: datetime.datetime,
    before: tuple[float, float, float],
    after: tuple[float, float, float],
) -> None:
    fmt = search_bench.fmt_load
    lines = [
        "# Finder latency",
        "",
        f"Run {started:%Y-%m-%d %H:%M %Z} on {os.cpu_count()} cores; load average (1, 5, 15 min) "
        f"{fmt(before)} before, {fmt(after)} after.",
        "",
        f"Command: `.venv/bin/python bench/finder_latency.py --size {args.size} --vendors {args.vendors} "
        f"--texts {args.texts}`",
        "",
        f"Targets: `find` p95 ≤ {FIND_TARGET_MS:.0f} ms; a chat turn p95 ≤ {TURN_TARGET_MS:.0f} ms.",
        "",
        "| database | services | portal | texts | find p50 / p95 | chat first message p50 / p95 "
        "| chat answer p50 / p95 (n) | load during | meets targets |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        f, s, a = run["find"], run["start"], run["answer"]
        ok = f["p95"] <= FIND_TARGET_MS and s["p95"] <= TURN_TARGET_MS and a["p95"] <= TURN_TARGET_MS
        lines.append(
            f"| {run['vendor']} | {run['size']:,} | {run['portal']} | {run['texts']} "
            f"| {f['p50']:.1f} / {f['p95']:.1f} ms | {s['p50']:.1f} / {s['p95']:.1f} ms "
            f"| {a['p50']:.1f} / {a['p95']:.1f} ms ({a['n']}) | {fmt(run['load'])} | {'yes' if ok else 'no'} |"
        )
    lines += [
        "",
        "Texts: distinct resident texts, crisis cases included: the dev cases (`../shared/finder/dev-cases.jsonl`), "
        "then our held-out sets (`tests/finder/data/heldout.jsonl`, `fresh.jsonl`), up to the count. `find` is "
        "understanding + crisis lines + two `search_services` calls (the needs with any of the words, then the needs alone when the first gives fewer than 40) + scoring, in the process, no HTTP. "
        "A first chat message is `find` plus the cache write and loading the shown services; an answer "
        "re-ranks the cached pool (an area answer searches again).",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
