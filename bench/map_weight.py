"""What a phone downloads to open the map page, before and after a change (issue 9: the national map).

    .venv/bin/python bench/map_weight.py --data-dir DIR [--baseline COMMIT] [--port 8811]

DIR is a DATA_DIR built as `make demo` builds it (migrate, get-datasets, import, place-locations,
seed-demo, collectstatic with STATIC_MANIFEST=true); the real data is needed for real figures.
The baseline code (a `git archive` of --baseline, default the commit before the national map was
split by prefecture) and the current code each run as one gunicorn worker on 127.0.0.1 against that
same database, one after the other. For each page the bench fetches what the browser fetches for
the first view: the HTML, every stylesheet and script it names, and the GeoJSON its map box names
(`data-geojson`), as a phone does (Accept-Encoding: gzip, deflate; the virtualenv has no brotli,
so WhiteNoise keeps no .br files), and counts the body bytes on the wire and decoded. Tiles and marker images are not counted. Writes bench/results/map_weight.md.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import html
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "map_weight.md"
HOST = "127.0.0.1"
DEFAULT_BASELINE = "a594be6"  # h/residents before the national map was split by prefecture
PAGES = ["/zenkoku/map/", "/zenkoku/map/?pref=13", "/zenkoku/map/?pref=26", "/kamakura/map/", "/kyoto-city/map/"]
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')
GEOJSON = re.compile(r'data-geojson="([^"]+)"')


def get(url: str) -> tuple[int, int, str]:
    """(bytes on the wire, bytes decoded, decoded text) as a phone's browser receives them."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate"})
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        decoded = gzip.decompress(body)
    elif encoding == "deflate":
        decoded = zlib.decompress(body)
    else:
        decoded = body
    return len(body), len(decoded), decoded.decode("utf-8", errors="replace")


def weigh(base: str, path: str) -> dict[str, tuple[int, int]]:
    wire, raw, page = get(base + path)
    out = {"HTML": (wire, raw)}
    assets = [html.unescape(a) for a in ASSET.findall(page) if a.startswith("/static/")]
    static = [get(base + a)[:2] for a in assets]
    out["CSS + JS"] = (sum(s[0] for s in static), sum(s[1] for s in static))
    found = GEOJSON.search(page)
    out["GeoJSON"] = get(base + html.unescape(found[1]))[:2] if found else (0, 0)
    return out


def extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def serve(code: Path, data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(DATA_DIR=str(data_dir), STATIC_MANIFEST="true", PYTHONPATH=str(code), RATELIMIT_ENABLE="false")
    command = [sys.executable, "-m", "gunicorn", "tsunagari.wsgi", "--bind", f"{HOST}:{port}", "--workers", "1"]
    command += ["--timeout", "600"]
    process = subprocess.Popen(command, env=env, cwd=code, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2):
                return process
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    process.terminate()
    sys.exit(f"gunicorn did not start: {log.read_text(errors='replace')[-2000:]}")


def kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--port", type=int, default=8811)
    args = parser.parse_args()
    figures: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    with tempfile.TemporaryDirectory(prefix="map-weight-") as tmp:
        base_code = extract(args.baseline, Path(tmp) / "baseline")
        for name, code in (("baseline", base_code), ("current", ROOT)):
            process = serve(code, args.data_dir, args.port, Path(tmp) / f"{name}.log")
            try:
                figures[name] = {path: weigh(f"http://{HOST}:{args.port}", path) for path in PAGES}
            finally:
                process.terminate()
                process.wait()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [
        "# What a phone downloads to open the map page",
        "",
        f"`.venv/bin/python bench/map_weight.py --data-dir DIR --baseline {args.baseline}` on {datetime.date.today()}"
        f" (current = {commit.strip()}); DIR built as `make demo` builds it from the real くらし支援ナビ data,"
        " with `place-locations`. KB of 1,000 bytes, bodies only: on the wire (Accept-Encoding: gzip, deflate)"
        " / decoded. Leaflet's tiles and marker images are not counted. The baseline ignores `?pref=`.",
        "",
        "| page | code | HTML | CSS + JS | GeoJSON | **total on the wire** | total decoded |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for path in PAGES:
        for name in ("baseline", "current"):
            row = figures[name][path]
            wire = sum(v[0] for v in row.values())
            raw = sum(v[1] for v in row.values())
            cells = " | ".join(f"{kb(row[k][0])} / {kb(row[k][1])}" for k in ("HTML", "CSS + JS", "GeoJSON"))
            lines.append(f"| `{path}` | {name} | {cells} | **{kb(wire)}** | {kb(raw)} |")
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
