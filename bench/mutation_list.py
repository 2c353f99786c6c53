"""Our own list of mutants of the sign-in and case-access rules: which ones the tests kill, before/after.

    python bench/mutation_list.py --before COMMIT [--after COMMIT] [--python PYTHON]

Each mutant is one textual change (the kind mutmut makes: a comparison, a boolean operator, a
constant, a dropped call) to a file of a `git archive` of the commit, extracted to a temporary
folder; the listed test files of that commit then run (pytest -x, SQLite). Killed = the tests
fail. Both commits get the same mutants. Writes bench/results/mutation_list.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mutation_list.md"
SIGN_IN = ["tests/accounts/test_sign_in.py", "tests/accounts/test_spraying.py", "tests/accounts/test_edges.py"]
CASES = ["tests/cases/test_access.py"]
WORKSPACE = ["tests/workspace/test_workspace_roles.py", "tests/accounts/test_mfa_roles.py"]
# (name, file, text, replacement, tests): each text occurs once in its file.
MUTANTS = [
    (
        "email not lower-cased",
        "tsunagari/accounts/lockout.py",
        ".strip().lower() if value",
        ".strip() if value",
        SIGN_IN,
    ),
    (
        "username not turned back into the e-mail",
        "tsunagari/accounts/lockout.py",
        'value = value or credentials["username"]',
        'value = credentials["username"]',
        SIGN_IN,
    ),
    (
        "posted login field ignored",
        "tsunagari/accounts/lockout.py",
        'request.POST.get("login") or request.POST.get("username")',
        'request.POST.get("username")',
        SIGN_IN,
    ),
    (
        "wrong codes: limit one later",
        "tsunagari/accounts/lockout.py",
        "return count >= settings.MFA_CODE_ATTEMPTS_PER_SIGN_IN",
        "return count > settings.MFA_CODE_ATTEMPTS_PER_SIGN_IN",
        SIGN_IN,
    ),
    (
        "idle limit: signed out at exactly the limit",
        "tsunagari/accounts/middleware.py",
        "now - last_seen > idle_seconds",
        "now - last_seen >= idle_seconds",
        SIGN_IN,
    ),
    (
        "session written every request",
        "tsunagari/accounts/middleware.py",
        "LAST_SEEN_PRECISION = 60",
        "LAST_SEEN_PRECISION = 0",
        SIGN_IN,
    ),
    (
        "idle timeout cannot be turned off",
        "tsunagari/accounts/middleware.py",
        "if idle_seconds and request.user.is_authenticated:",
        "if request.user.is_authenticated:",
        SIGN_IN,
    ),
    (
        "no message when signed out for idleness",
        "tsunagari/accounts/middleware.py",
        "                messages.info(request,",
        "                (request,",
        SIGN_IN,
    ),
    (
        "consent ends the day before its last day",
        "tsunagari/cases/access.py",
        "Q(consents__expires_on__gte=today)",
        "Q(consents__expires_on__gt=today)",
        CASES,
    ),
    (
        "withdrawn consent still counts",
        "tsunagari/cases/access.py",
        "consents__withdrawn_at__isnull=True",
        "consents__withdrawn_at__isnull=False",
        CASES,
    ),
    (
        "observers may write",
        "tsunagari/workspace/access.py",
        "return not self.has_role(*WRITERS)",
        "return not self.has_role(*WRITERS, Role.OBSERVER)",
        WORKSPACE,
    ),
    (
        "role labels of roles not held",
        "tsunagari/workspace/access.py",
        "for role in Role.values if role in self.roles]",
        "for role in Role.values if role not in self.roles]",
        WORKSPACE,
    ),
]


def extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def killed(python: str, tree: Path, path: str, text: str, replacement: str, tests: list[str]) -> str:
    source = tree / path
    original = source.read_text(encoding="utf-8")
    if original.count(text) != 1:
        return "not applicable"
    source.write_text(original.replace(text, replacement), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATA_DIR"] = str(tree / "var")
    shared = ROOT.parent / "shared" / "data"
    if shared.is_dir():
        env["DATASETS_DIR"] = str(shared)
    present = [t for t in tests if (tree / t).exists()]
    try:
        done = subprocess.run(
            [python, "-m", "pytest", "-p", "no:randomly", "-q", "-x", *present],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        source.write_text(original, encoding="utf-8")
    return "killed" if done.returncode == 1 else "survived" if done.returncode == 0 else f"error {done.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mutation-list-") as tmp:
        trees = {
            name: extract(commit, Path(tmp) / name) for name, commit in (("before", args.before), ("after", args.after))
        }
        for name, path, text, replacement, tests in MUTANTS:
            outcome = {
                label: killed(args.python, tree, path, text, replacement, tests) for label, tree in trees.items()
            }
            rows.append((name, path, outcome["before"], outcome["after"]))
            print(rows[-1], flush=True)
    survived = {label: sum(1 for row in rows if row[i] == "survived") for i, label in ((2, "before"), (3, "after"))}
    lines = [
        "# Own-list mutation run: sign-in, idle timeout, case access, workspace roles",
        "",
        f"`python bench/mutation_list.py --before {args.before} --after {args.after}` on {datetime.date.today()}.",
        "",
        "| mutant | file | before | after |",
        "| --- | --- | --- | --- |",
        *[f"| {name} | `{path}` | {before} | {after} |" for name, path, before, after in rows],
        "",
        f"Survivors: {survived['before']} of {len(rows)} before, {survived['after']} of {len(rows)} after.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
