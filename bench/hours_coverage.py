"""How many published opening hours of the real くらし支援ナビ windows the parser turns into schedules.

    .venv/bin/python bench/hours_coverage.py [--before REV]

Reads offices.csv from DATASETS_DIR (../shared/data on the project's machines), parses every
window's openingHours/closedDays with tsunagari/lib/hours.py as it is now and as it was at REV
(default: the commit before issue 10 item 21), and writes results/hours_coverage.md: windows with
hours, how many stay text, whether they name their days, and every text still unread.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEFORE = "7f7c277"  # the parser as first written, before issue 10 item 21
# Any weekday, 平日, 毎日 or the like: the text says on which days the window is open.
NAMES_DAYS = re.compile(
    r"[月火水木金土日][曜~～・、]|[月火水木金土日]$|平日|毎日|土日|年中無休|365日|第.[月火水木金土日]"
)


def load_hours(rev: str | None) -> ModuleType:
    """tsunagari/lib/hours.py at `rev` (None: the working tree), as a module of its own."""
    if rev is None:
        path = ROOT / "tsunagari" / "lib" / "hours.py"
    else:
        text = subprocess.run(
            ["git", "show", f"{rev}:tsunagari/lib/hours.py"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        handle = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8")  # noqa: SIM115
        handle.write(text)
        handle.close()
        path = Path(handle.name)
    spec = importlib.util.spec_from_file_location(f"hours_{rev or 'now'}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def unread(parse: Callable[[str, str], Any], rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [
        (row["openingHours"], row["closedDays"])
        for row in rows
        if not parse(row["openingHours"], row["closedDays"]).parsed
    ]


# Why a text still stays text, by what it contains.
REASONS = (
    (
        "1月1日",
        "names no open days, and closures by date alone (1 to 3 January) say the week is longer than"
        " an office's without saying how long",
    ),
    ("公式ページ", "no days and no times"),
)


def _reason(opening: str, closed: str) -> str:
    return next((why for word, why in REASONS if word in opening + closed), "not understood")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with (default %(default)s)")
    args = parser.parse_args()
    datasets = Path(os.environ.get("DATASETS_DIR", ROOT.parent / "shared" / "data"))
    with (datasets / "kurashi-navi" / "offices.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["openingHours"].strip()]
    before = unread(load_hours(args.before).parse_hours, rows)
    after = unread(load_hours(None).parse_hours, rows)
    naming = [pair for pair in after if NAMES_DAYS.search(pair[0])]
    lines = [
        "# Opening hours read into schedules (くらし支援ナビ offices.csv)",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "    .venv/bin/python bench/hours_coverage.py" + (f" --before {args.before}" if args.before != BEFORE else ""),
        "",
        "| parser | windows with hours | read into schedules | stay text | of which name their days |",
        "| --- | --- | --- | --- | --- |",
        f"| before ({args.before}) | {len(rows):,} | {len(rows) - len(before):,} | {len(before)} | "
        f"{sum(1 for p in before if NAMES_DAYS.search(p[0]))} |",
        f"| now | {len(rows):,} | {len(rows) - len(after):,} | {len(after)} | {len(naming)} |",
        "",
        "Still text (opening hours | closed days), with the reason each stays unread:",
        "",
    ]
    lines += [f"- `{opening}` | `{closed}`: {_reason(opening, closed)}" for opening, closed in after]
    out = ROOT / "bench" / "results" / "hours_coverage.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
