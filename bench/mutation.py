"""A mutation run (mutmut) over the security-critical access code: surviving mutants, before/after.

    .venv/bin/python bench/mutation.py --venv /tmp/h-residents-venv [--commit HEAD] [--keep DIR]

mutmut is not a dependency of the project: give a separate virtualenv that has it (see
bench/results/mutation.md for how it was made without touching the project's own one). The bench
extracts `git archive COMMIT` to a temporary folder, adds a [tool.mutmut] section to its
pyproject.toml (the files in TARGETS, the tests in TESTS), runs `mutmut run` there and prints each
mutant's status (killed / survived / timeout / no tests) and the totals. DATASETS_DIR points at
../shared/data when it exists, as on our machines. The project's worktree is never changed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bounded so that a run ends in minutes on a shared 2-core machine: the account lockout glue
# (which account a failure counts under, wrong two-factor codes) and who may see a person's case.
TARGETS = [
    "tsunagari/accounts/lockout.py",
    "tsunagari/cases/access.py",
]
TESTS = ["tests/accounts", "tests/cases/test_access.py", "-p", "no:randomly"]


def prepare(commit: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    section = [
        "",
        "[tool.mutmut]",
        'source_paths = ["tsunagari"]',
        # pytest-django puts the folder of the first manage.py it finds on sys.path: without a copy
        # inside mutants/, the tests would import the unmutated code beside it.
        'also_copy = ["manage.py"]',
        f"only_mutate = {TARGETS!r}".replace("'", '"'),
        f"pytest_add_cli_args_test_selection = {TESTS!r}".replace("'", '"'),
        "",
    ]
    with (into / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n".join(section))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", required=True, type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--keep", type=Path, help="run in this folder (kept afterwards) instead of a temporary one")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="mutation-"))
    folder.mkdir(parents=True, exist_ok=True)
    prepare(args.commit, folder)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    shared = ROOT.parent / "shared" / "data"
    if shared.is_dir():
        env["DATASETS_DIR"] = str(shared)
    env["DATA_DIR"] = str(folder / "var")
    mutmut = str(args.venv / "bin" / "mutmut")
    run = subprocess.run([mutmut, "run"], cwd=folder, env=env, check=False)
    results = subprocess.run([mutmut, "results", "--all", "true"], cwd=folder, env=env, capture_output=True, text=True)
    statuses: Counter[str] = Counter()
    for line in results.stdout.splitlines():
        if ":" in line:
            name, status = line.rsplit(":", 1)
            statuses[status.strip()] += 1
            print(f"{name.strip()}: {status.strip()}")
    print(dict(statuses), "mutmut exit", run.returncode, "in", folder, file=sys.stderr)


if __name__ == "__main__":
    main()
