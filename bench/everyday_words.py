"""Everyday words: do the phrases residents type find a relevant window on two city portals?

    .venv/bin/python bench/everyday_words.py --label before   # on the code before the change
    .venv/bin/python bench/everyday_words.py --label after    # on the code after it
    .venv/bin/python bench/everyday_words.py --label after --reuse   # same database, no new set-up

Builds the database as `make demo` does (fresh SQLite under var/bench-everyday: migrate, the real
くらし支援ナビ windows, seed-demo), then for every phrase of bench/data/everyday_words.tsv (written
before any tuning) opens the results page `/<portal>/search/?q=…` of /kamakura/ and /kyoto-city/
and the API `/<portal>/api/services?search=…`, as a resident and a consumer would.

A phrase *finds a relevant window* when a window on the first page of results carries one of the
phrase's need codes; *top 3* counts the first three. An answer is *non-empty and honest* when it
lists windows or shows the fallback block (the kinds of public window every municipality has,
reached through its representative window, marked as not a match). *Data has one* counts the
phrases for which the portal holds any window with those needs at all: the most a search can do.
Each labelled run is kept in bench/results/everyday-words.json; the results file shows them all.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

PHRASES = ROOT / "bench" / "data" / "everyday_words.tsv"
RESULTS = ROOT / "bench" / "results" / "everyday-words.md"
RUNS = ROOT / "bench" / "results" / "everyday-words.json"
PORTALS = ("kamakura", "kyoto-city")
RESULTS_LIST = re.compile(r'<ol class="results">.*?</ol>', re.S)
FALLBACK = re.compile(r'class="fallback"')


def read_phrases() -> list[tuple[str, tuple[str, ...]]]:
    lines = [line for line in PHRASES.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return [(row["phrase"], tuple(row["needs"].split(","))) for row in rows]


def set_up(data_dir: Path, reuse: bool) -> dict[str, str]:
    from api_load import bench_env  # type: ignore[import-not-found]
    from portal_load import set_up_portals  # type: ignore[import-not-found]

    if reuse and (data_dir / "tsunagari.sqlite3").exists():
        env = bench_env(data_dir, None, rate_limit=False)
        # The index as the code under test writes it.
        subprocess.run([sys.executable, "-m", "tsunagari", "reindex"], env=env, cwd=ROOT, check=True)
        return env
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    env, _loader = set_up_portals(data_dir)
    return env


def result_ids(page: str, slug: str) -> list[str]:
    block = RESULTS_LIST.search(page)
    if block is None:
        return []
    return re.findall(rf'href="/{re.escape(slug)}/services/([0-9a-f-]{{36}})/"', html.unescape(block[0]))


def measure(phrases: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    import django

    django.setup()
    from django.test import Client

    from tsunagari.directory.models import NEEDS, Service
    from tsunagari.search.query import search_services
    from tsunagari.tenancy.models import Platform
    from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

    client = Client()
    out: dict[str, Any] = {}
    for slug in PORTALS:
        platform = Platform.objects.get(slug=slug)
        rows = []
        for phrase, needs in phrases:
            started = time.perf_counter()
            page = client.get(f"/{slug}/search/", {"q": phrase}).content.decode()
            seconds = time.perf_counter() - started
            ids = result_ids(page, slug)
            with scopes_disabled():
                links = Service.terms.through.objects.filter(service_id__in=ids, taxonomyterm__taxonomy_id=NEEDS)
                needs_of: dict[str, set[str]] = {}
                for service_id, code in links.values_list("service_id", "taxonomyterm__code"):
                    needs_of.setdefault(str(service_id), set()).add(code)
            relevant = [bool(needs_of.get(pk, set()) & set(needs)) for pk in ids]
            with platform_scope(platform):
                available = search_services(platform=platform, needs=needs, per_page=1, relations=()).total
            api = client.get(f"/{slug}/api/services", {"search": phrase, "per_page": 50})
            api_body = api.json() if api.status_code == 200 else {}
            rows.append(
                {
                    "phrase": phrase,
                    "needs": list(needs),
                    "shown": len(ids),
                    "relevant_page": any(relevant),
                    "relevant_top3": any(relevant[:3]),
                    "fallback": bool(FALLBACK.search(page)),
                    "available": available,
                    "api_total": api_body.get("total_items", 0),
                    "api_fallback": bool(api_body.get("fallback")),
                    "ms": round(seconds * 1000, 1),
                }
            )
        out[slug] = rows
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "phrases": len(rows),
        "relevant_page": sum(r["relevant_page"] for r in rows),
        "relevant_top3": sum(r["relevant_top3"] for r in rows),
        "non_empty": sum(r["shown"] > 0 or r["fallback"] for r in rows),
        "zero_results": sum(r["shown"] == 0 for r in rows),
        "available": sum(r["available"] > 0 for r in rows),
        "relevant_where_available": sum(r["relevant_page"] for r in rows if r["available"] > 0),
        "api_non_empty": sum(r["api_total"] > 0 or r.get("api_fallback", False) for r in rows),
    }


def write(runs: dict[str, Any]) -> None:
    lines = [
        "# Everyday words on two city portals",
        "",
        "Command: `.venv/bin/python bench/everyday_words.py --label before|after` (see the script's docstring).",
        f"Phrases: `bench/data/everyday_words.tsv` ({len(read_phrases())}, written before tuning). "
        "Data: くらし支援ナビ via `python -m tsunagari import`, demo platforms via `seed-demo`.",
        "",
        "A phrase finds a relevant window when a window on the first page of results carries one of its need "
        "codes. Non-empty honest answer: windows listed, or the fallback block (kinds of public window reached "
        "through the municipality's representative window, never counted as a match). Data has one: the portal "
        "holds any window with the phrase's needs at all.",
        "",
        "| run | portal | phrases | relevant (page) | relevant (top 3) | relevant where data has one "
        "| non-empty honest | 0 results | API non-empty |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, run in runs.items():
        for slug, rows in run["portals"].items():
            s = summary(rows)
            lines.append(
                f"| {label} ({run['commit']}, {run['date']}) | {slug} | {s['phrases']} | {s['relevant_page']} "
                f"| {s['relevant_top3']} | {s['relevant_where_available']} / {s['available']} | {s['non_empty']} "
                f"| {s['zero_results']} | {s['api_non_empty']} |"
            )
    lines += [
        "",
        "`--reuse` runs keep the database of the first run and rebuild its search index with the code under "
        "test (`python -m tsunagari reindex`); the importer and seed-demo are the same in both.",
        "",
    ]
    for label, run in runs.items():
        for slug, rows in run["portals"].items():
            missed = [r["phrase"] for r in rows if r["available"] and not r["relevant_page"]]
            if missed:
                lines.append(f"- {label}, {slug}: the data has a window but none was shown for {'、'.join(missed)}.")
    lines += ["", "## Per phrase", ""]
    labels = list(runs)
    header = "| phrase | needs | " + " | ".join(f"{label} {slug}" for label in labels for slug in PORTALS) + " |"
    lines += [header, "|" + " --- |" * (2 + len(labels) * len(PORTALS))]
    lines.append("")
    lines.pop()
    phrases = read_phrases()
    for index, (phrase, needs) in enumerate(phrases):
        cells = []
        for label in labels:
            for slug in PORTALS:
                rows = runs[label]["portals"].get(slug, [])
                row = rows[index] if index < len(rows) and rows[index]["phrase"] == phrase else None
                if row is None:
                    cells.append("–")
                    continue
                mark = "✓" if row["relevant_page"] else ("fallback" if row["fallback"] else "✗")
                cells.append(f"{mark} {row['shown']} (api {row['api_total']})")
        lines.append(f"| {phrase} | {','.join(needs)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Cell: ✓ a relevant window on the first page, ✗ none, fallback = no relevant window but the fallback "
        "block; then the number of windows on the first page and, in brackets, the API's total_items.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-everyday")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    env = set_up(args.data_dir, args.reuse)
    os.environ.update(env)
    os.environ["PORTAL_PAGE_CACHE_SECONDS"] = "0"
    phrases = read_phrases()
    portals = measure(phrases)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    runs = json.loads(RUNS.read_text(encoding="utf-8")) if RUNS.exists() else {}
    runs[args.label] = {
        "commit": commit.stdout.strip(),
        "date": datetime.date.today().isoformat(),
        "portals": portals,
    }
    RUNS.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    write(runs)
    for slug, rows in portals.items():
        print(slug, summary(rows))


if __name__ == "__main__":
    main()
