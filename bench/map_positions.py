"""How many of the real くらし支援ナビ windows get a position on the map, and how precise (issue 9 item 12).

    .venv/bin/python bench/map_positions.py

Reads offices.csv and municipalities.csv (kurashi-navi) and towns.csv.gz (geolonia-addresses) from
DATASETS_DIR (../shared/data on the project's machines), places every window with
tsunagari.lib.geocode and writes results/map_positions.md. Windows without an address (phone-only
lines, DV centres that keep their address private) get no position by design.
"""

from __future__ import annotations

import csv
import datetime
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tsunagari.lib.geocode import Geocoder  # noqa: E402


def main() -> None:
    datasets = Path(os.environ.get("DATASETS_DIR", ROOT.parent / "shared" / "data"))
    kurashi = datasets / "kurashi-navi"
    started = time.perf_counter()
    geocoder = Geocoder.from_file(datasets / "geolonia-addresses" / "towns.csv.gz")
    load_seconds = time.perf_counter() - started
    with (kurashi / "prefectures.csv").open(encoding="utf-8-sig", newline="") as f:
        prefectures = {row["code"]: row["name"] for row in csv.DictReader(f)}
    with (kurashi / "municipalities.csv").open(encoding="utf-8-sig", newline="") as f:
        municipalities = {row["id"]: row for row in csv.DictReader(f)}
    with (kurashi / "offices.csv").open(encoding="utf-8-sig", newline="") as f:
        offices = list(csv.DictReader(f))
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for office in offices:
        address = office["address"].strip()
        if not address:
            counts["no address (phone-only or private)"] += 1
            continue
        municipality = municipalities.get(office["municipalityId"])
        code = municipality["prefectureCode"] if municipality else office["prefectureCode"]
        prefecture = prefectures.get(code.zfill(2) if code else "", "")
        point = geocoder.locate(prefecture, address, municipality["name"] if municipality else "")
        counts[point.precision if point else "address not placed"] += 1
    place_seconds = time.perf_counter() - started
    total = len(offices)
    placed = counts["town"] + counts["municipality"]
    lines = [
        "# Windows placed on the map (くらし支援ナビ offices.csv, Geolonia towns)",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "    .venv/bin/python bench/map_positions.py",
        "",
        "| windows | count | share |",
        "| --- | --- | --- |",
        *(f"| {kind} | {n:,} | {n / total:.1%} |" for kind, n in counts.most_common()),
        f"| **with a position** | **{placed:,}** | **{placed / total:.1%}** |",
        f"| all | {total:,} | |",
        "",
        "Before this change the map had 0 markers (3 of 5,877 locations had coordinates).",
        "No window is placed exactly: the data set has addresses, not coordinates; `town` is the",
        "point of the 大字・町丁目, `municipality` the mean of the municipality's town points",
        "(pygeonlp's geoshape-city.csv with the municipal offices: `pip download pygeonlp --no-binary :all:` fetches",
        "the sdist but stops building its metadata, so it was not used; the town centroid stands in).",
        "",
        f"Loading towns.csv.gz: {load_seconds:.1f} s; placing {total:,} addresses: {place_seconds:.2f} s.",
    ]
    out = ROOT / "bench" / "results" / "map_positions.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
