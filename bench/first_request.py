"""Time to answer the first request of a fresh app process, before and after a change.

    .venv/bin/python bench/first_request.py [--baseline COMMIT] [--runs 7] [--path /healthz]

Each run is a new Python process that sets Django up (as a gunicorn worker does at start) and then
answers one request through the WSGI handler (Django's test client): that first request loads the
URLconf and every view module it imports. Baseline and current code run alternately, on the same
machine in the same run, from a `git archive` of --baseline (default: the commit before the LINE
webhook became lazy) extracted to a temporary folder, with the same virtualenv. Reports the median
and range of django.setup() and of the first request, and whether line-bot-sdk was imported.
Writes bench/results/first_request.md. Nothing leaves the machine (SQLite in a temporary DATA_DIR).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "first_request.md"
DEFAULT_BASELINE = "6748af6"  # h/residents before tsunagari/channels/line/urls.py imported the SDK lazily

PROBE = """
import json, sys, time
t0 = time.perf_counter()
import django
django.setup()
t1 = time.perf_counter()
from django.test import Client
response = Client().get(sys.argv[1], HTTP_HOST="localhost")
t2 = time.perf_counter()
print(json.dumps({"setup": (t1 - t0) * 1000, "first": (t2 - t1) * 1000, "status": response.status_code,
                  "linebot": any(name.startswith("linebot") for name in sys.modules)}))
"""


def extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def probe(checkout: Path, path: str, data_dir: Path) -> dict[str, float]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tsunagari.settings", "DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, path], cwd=checkout, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def summary(rows: list[dict[str, float]], key: str) -> str:
    values = [row[key] for row in rows]
    return f"{statistics.median(values):,.0f} ms ({min(values):,.0f}–{max(values):,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--path", default="/healthz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-request-") as tmp:
        base = extract(args.baseline, Path(tmp) / "baseline")
        data = Path(tmp) / "data"
        data.mkdir()
        results: dict[str, list[dict[str, float]]] = {"baseline": [], "current": []}
        probe(ROOT, args.path, data)  # warm the OS file cache for both (same virtualenv)
        for _ in range(args.runs):
            results["baseline"].append(probe(base, args.path, data))
            results["current"].append(probe(ROOT, args.path, data))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [
        "# First request of a fresh process",
        "",
        f"`.venv/bin/python bench/first_request.py --baseline {args.baseline} --runs {args.runs} --path {args.path}`",
        f"({datetime.date.today()}, current = {commit.strip()}, {args.runs} alternating runs each; the machine is"
        " shared, so compare the two columns of this run, not with other runs)",
        "",
        "| code | django.setup() | first request | line-bot-sdk imported | status |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, rows in results.items():
        lines.append(
            f"| {name} | {summary(rows, 'setup')} | {summary(rows, 'first')} | "
            f"{'yes' if all(r['linebot'] for r in rows) else 'no' if not any(r['linebot'] for r in rows) else 'some'}"
            f" | {rows[0]['status']} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
