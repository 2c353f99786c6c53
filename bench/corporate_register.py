"""Loading the NTA's corporate number register: rows per second of `load-corporate-register`.

    .venv/bin/python bench/corporate_register.py [--rows 200000] [--files 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_register .venv/bin/python bench/corporate_register.py

Writes `--rows` fictional rows in the official shape (tests/membership/register_files.py: no
header, 30 columns, UTF-8) into `--files` zip files like the per-prefecture downloads, in a
temporary folder. Then, in a fresh SQLite file in a temporary DATA_DIR (or the database named by
DATABASE_URL, migrated first), runs the real command as a coordinator would,
`python -m tsunagari load-corporate-register FOLDER`, twice: into an empty table, then replacing
it. The floor is reading and checking the same files without writing (csv plus the row checks):
what the command costs beyond it is the database. Peak memory is the command's maximum RSS.
Prints a Markdown table; bench/results/corporate_register.md keeps the runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")

NAMES = ["株式会社", "合同会社", "特定非営利活動法人", "一般社団法人", "社会福祉法人"]


def write_files(folder: Path, rows: int, files: int) -> None:
    from tests.membership.register_files import fictional_number, register_row, write_zip

    per_file = -(-rows // files)
    serial = 0
    for index in range(files):
        batch = []
        for sequence in range(1, per_file + 1):
            if serial >= rows:
                break
            serial += 1
            name = f"{NAMES[serial % len(NAMES)]}架空{serial:07d}"
            closed = "2024-03-31" if serial % 50 == 0 else ""
            batch.append(register_row(sequence, fictional_number(serial), name, furigana="カクウ", close_date=closed))
        write_zip(folder / f"{index + 1:02d}_kakuu_all_20261030.zip", batch)


def floor(folder: Path) -> float:
    """Seconds to read and check every row without writing: the command's own parsing."""
    import django

    django.setup()
    from tsunagari.membership import register

    started = time.perf_counter()
    count = 0
    for path in register.register_files([folder]):
        for _name, _line, row in register._rows(path):
            assert not isinstance(row, str)
            register._entry(row)
            count += 1
    return time.perf_counter() - started


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """(seconds of the whole process, seconds the command measured itself, its output)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tsunagari", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    took = re.search(r"（([\d.]+) 秒", done.stdout)
    return time.perf_counter() - started, float(took.group(1)) if took else 0.0, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        folder = Path(tmp) / "register"
        folder.mkdir()
        write_files(folder, args.rows, args.files)
        size = sum(p.stat().st_size for p in folder.iterdir())
        env = dict(os.environ)
        env.setdefault("DATA_DIR", tmp)
        engine = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        load_before = os.getloadavg()[0]
        run(env, "migrate", "--verbosity", "0")
        migrate_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        first, first_own, out = run(env, "load-corporate-register", str(folder))
        second, second_own, _ = run(env, "load-corporate-register", str(folder))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        parse = floor(folder)

    print(f"{args.rows:,} fictional rows in {args.files} zip files ({size / 1e6:.1f} MB), {engine}, ")
    print(f"load average {load_before:.2f} at the start; the command said: {out}\n")
    print("| step | seconds (loading) | rows/s (loading) | seconds (whole process) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| floor: read and check the rows, no database | {parse:.1f} | {args.rows / parse:,.0f} | |")
    for label, own, whole in (("into an empty table", first_own, first), ("replacing it", second_own, second)):
        rate = args.rows / own if own else 0
        print(f"| load-corporate-register {label} | {own:.1f} | {rate:,.0f} | {whole:.1f} |")
    print(f"\nPeak memory (max RSS): migrate {migrate_mb:.0f} MB; any child up to the loads {peak_mb:.0f} MB.")


if __name__ == "__main__":
    main()
