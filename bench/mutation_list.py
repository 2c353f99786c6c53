"""Our own list of mutants of the sign-in and case-access rules: which ones the tests kill, before/after.

    python bench/mutation_list.py --before COMMIT [--after COMMIT] [--python PYTHON] [--only WORDS]
    python bench/mutation_list.py --after COMMIT --only "issue 10"   # one commit, the issue's own mutants

Each mutant is one textual change (the kind mutmut makes: a comparison, a boolean operator, a
constant, a dropped call) to a file of a `git archive` of the commit, extracted to a temporary
folder; the listed test files of that commit then run (pytest -x, SQLite). Killed = the tests
fail. Both commits get the same mutants. Writes bench/results/mutation_list.md (with --only, a
results file of its own: bench/results/mutation_list_issue10.md for --only "issue 10").

A mutant may change several places (removing every transaction.atomic() of the importer), given
as a list of (file, text, replacement) edits applied in order; each text must occur once.
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
_MUTANTS_OF_SIGN_IN_AND_CASES = [
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


MFA = ["tests/accounts/test_mfa_roles.py"]
IMPORTER = ["tests/directory/test_import_writer.py", "tests/directory/test_import_csv.py"]
UNDERSTANDING = ["tests/finder/test_understanding.py"]
WORKSPACE_SCOPE = ["tests/workspace/test_foreign_ids.py", "tests/workspace/test_permissions.py"]
AUDIT_EXPORT = ["tests/audit/test_audit.py"]
TRAINING_EXPORT = ["tests/programs/test_training.py"]
OPEN_NOW = ["tests/lib/test_hours.py", "tests/portal/test_open_now.py"]
KANA = ["tests/lib/test_japanese_readings.py"]
# A CSV writer without the formula defusing of lib/spreadsheet.csv_lines, put in place of it.
_RAW_CSV = """


def _raw_csv_lines(header, rows):  # mutant: formulas not defused
    import csv as _csv

    class _Echo:
        def write(self, value):
            return value

    writer = _csv.writer(_Echo())
    yield "\\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(list(row))
"""
Edit = tuple[str, str, str]
# Issue 10 items 11 to 17: each mutation passed the whole suite when the issue was filed.
_MUTANTS_OF_ISSUE_10: list[tuple[str, list[Edit], list[str]]] = [
    (
        "issue 10 #11: MFA_REQUIRED_ROLES without ORG_ADMIN",
        [
            (
                "tsunagari/accounts/models.py",
                "MFA_REQUIRED_ROLES = frozenset({Role.COORDINATOR, Role.ORG_ADMIN})",
                "MFA_REQUIRED_ROLES = frozenset({Role.COORDINATOR})",
            )
        ],
        MFA,
    ),
    (
        "issue 10 #11: MFA_REQUIRED_ROLES without COORDINATOR",
        [
            (
                "tsunagari/accounts/models.py",
                "MFA_REQUIRED_ROLES = frozenset({Role.COORDINATOR, Role.ORG_ADMIN})",
                "MFA_REQUIRED_ROLES = frozenset({Role.ORG_ADMIN})",
            )
        ],
        MFA,
    ),
    (
        "issue 10 #12: importer without its transaction.atomic() blocks",
        [
            (
                "tsunagari/directory/importers/run.py",
                "    with transaction.atomic():\n        outcome = write_records(",
                "    if True:\n        outcome = write_records(",
            ),
            (
                "tsunagari/directory/importers/writer.py",
                "with scopes_disabled(), transaction.atomic():",
                "with scopes_disabled():",
            ),
            (
                "tsunagari/directory/importers/writer.py",
                "            with transaction.atomic():\n                writer.write(",
                "            if True:\n                writer.write(",
            ),
        ],
        IMPORTER,
    ),
    (
        "issue 10 #13: violence against a minor is not a child crisis",
        [
            (
                "tsunagari/finder/understanding.py",
                'if "violence" in crisis_kinds and age_group == "child" and asker != "family":',
                "if False:",
            )
        ],
        UNDERSTANDING,
    ),
    (
        "issue 10 #14: workspace platform scope replaced by scopes_disabled()",
        [
            (
                "tsunagari/workspace/access.py",
                "from tsunagari.tenancy.scoping import platform_scope\n",
                "from tsunagari.tenancy.scoping import platform_scope, scopes_disabled\n",
            ),
            (
                "tsunagari/workspace/access.py",
                "with platform_scope(workspace.platform, with_national=False):",
                "with scopes_disabled():",
            ),
        ],
        WORKSPACE_SCOPE,
    ),
    (
        "issue 10 #15: audit CSV export without formula defusing",
        [
            (
                "tsunagari/workspace/audit.py",
                "from tsunagari.lib.spreadsheet import csv_lines\n",
                "from tsunagari.lib.spreadsheet import csv_lines\n" + _RAW_CSV,
            ),
            (
                "tsunagari/workspace/audit.py",
                "StreamingHttpResponse(csv_lines(",
                "StreamingHttpResponse(_raw_csv_lines(",
            ),
        ],
        AUDIT_EXPORT,
    ),
    (
        "issue 10 #15: training CSV export without formula defusing",
        [
            (
                "tsunagari/programs/views.py",
                "from tsunagari.lib.spreadsheet import csv_lines\n",
                "from tsunagari.lib.spreadsheet import csv_lines\n" + _RAW_CSV,
            ),
            (
                "tsunagari/programs/views.py",
                "csv_lines(header, _training_rows(",
                "_raw_csv_lines(header, _training_rows(",
            ),
        ],
        TRAINING_EXPORT,
    ),
    (
        "issue 10 #16: year-end break ends on 2 January",
        [
            (
                "tsunagari/lib/hours.py",
                "(day.month == 1 and day.day <= 3)",
                "(day.month == 1 and day.day <= 2)",
            )
        ],
        OPEN_NOW,
    ),
    (
        "issue 10 #16: open/closed label inverted on the service page",
        [
            (
                "tsunagari/templates/portal/_open_badge.html",
                "{% if open_now is True %}",
                "{% if open_now is False %}",
            ),
            (
                "tsunagari/templates/portal/_open_badge.html",
                "{% elif open_now is False %}",
                "{% elif open_now is True %}",
            ),
        ],
        OPEN_NOW,
    ),
    (
        "issue 10 #17: hiragana/katakana fold removed",
        [("tsunagari/lib/japanese.py", "return text.translate(_KATAKANA_TO_HIRAGANA)", "return text")],
        KANA,
    ),
]
MUTANTS: list[tuple[str, list[Edit], list[str]]] = [
    *[
        (name, [(path, text, replacement)], tests)
        for name, path, text, replacement, tests in _MUTANTS_OF_SIGN_IN_AND_CASES
    ],
    *_MUTANTS_OF_ISSUE_10,
]


def extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def killed(python: str, tree: Path, edits: list[Edit], tests: list[str]) -> str:
    originals = {path: (tree / path).read_text(encoding="utf-8") for path, _text, _replacement in edits}
    mutated = dict(originals)
    for path, text, replacement in edits:
        if mutated[path].count(text) != 1:
            return "not applicable"
        mutated[path] = mutated[path].replace(text, replacement)
    for path, content in mutated.items():
        (tree / path).write_text(content, encoding="utf-8")
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
        for path, content in originals.items():
            (tree / path).write_text(content, encoding="utf-8")
    return "killed" if done.returncode == 1 else "survived" if done.returncode == 0 else f"error {done.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", help="also run the mutants on this commit (a column of its own)")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", default="", help="only the mutants whose name contains these words")
    args = parser.parse_args()
    commits = [("before", args.before), ("after", args.after)] if args.before else [("after", args.after)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mutation-list-") as tmp:
        trees = {name: extract(commit, Path(tmp) / name) for name, commit in commits}
        for name, edits, tests in MUTANTS:
            if args.only not in name:
                continue
            outcome = {label: killed(args.python, tree, edits, tests) for label, tree in trees.items()}
            files = ", ".join(f"`{path}`" for path in dict.fromkeys(path for path, _t, _r in edits))
            rows.append((name, files, " ".join(tests), [outcome[label] for label in trees]))
            print(rows[-1], flush=True)
    labels = [f"{label} ({commit})" for label, commit in commits]
    command = "python bench/mutation_list.py" + "".join(
        f" --{flag} {value}" for flag, value in (("before", args.before), ("after", args.after)) if value
    )
    if args.only:
        command += f' --only "{args.only}"'
    lines = [
        "# Own-list mutation run"
        + (f": {args.only}" if args.only else ": sign-in, idle timeout, case access, workspace roles"),
        "",
        f"`{command}` on {datetime.date.today()}; killed = the listed tests fail with the mutant applied.",
        "",
        "| mutant | files | tests run | " + " | ".join(labels) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in labels) + " |",
        *[f"| {name} | {files} | `{tests}` | " + " | ".join(outcomes) + " |" for name, files, tests, outcomes in rows],
        "",
        "Survivors: "
        + ", ".join(
            f"{sum(1 for row in rows if row[3][i] == 'survived')} of {len(rows)} {label}"
            for i, label in enumerate(labels)
        )
        + ".",
    ]
    out = RESULTS if not args.only else RESULTS.with_name(f"mutation_list_{args.only.replace(' ', '')}.md")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
