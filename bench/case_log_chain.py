"""The case log's hash chain (issue 11 item 7): appending and verifying 10,000 rows, against baselines.

    DATA_DIR=/tmp/bench-caselog .venv/bin/python bench/case_log_chain.py [--rows 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_caselog .venv/bin/python bench/case_log_chain.py

Migrates the database named by the environment (a fresh SQLite file in DATA_DIR by default), then,
for one platform id of its own (the log has no foreign keys):
1. baseline: the same rows inserted unchained (no head lock, no hash), one transaction each;
2. chained: `caselog.append`, one transaction each, as requests write them;
3. baseline: reading the rows back (the query `verify` makes, without hashing);
4. `caselog.verify` over the whole chain, then after one row edited (must find it).
Prints a Markdown table; bench/results/case_log_chain.md keeps the runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from tsunagari.cases import caselog
    from tsunagari.cases.models import CaseLogEntry
    from tsunagari.tenancy.scoping import scopes_disabled

    call_command("migrate", verbosity=0)
    base = 900_000 + int(time.time()) % 10_000  # platform ids no real platform uses
    chained, plain = base, base + 1
    rows = args.rows

    started = time.perf_counter()
    for number in range(rows):
        with transaction.atomic():
            CaseLogEntry(
                platform_id=plain,
                seq=number + 1,
                at=timezone.now(),
                action="view",
                persons=[number % 50],
                prev_hash="0" * 64,
                hash="0" * 64,
            ).save()
    unchained = time.perf_counter() - started

    started = time.perf_counter()
    for number in range(rows):
        caselog.append(platform_id=chained, action="view", persons=[number % 50], path=f"/bench/{number}/")
    appended = time.perf_counter() - started

    with scopes_disabled():
        started = time.perf_counter()
        last, read = 0, 0
        while True:
            batch = list(CaseLogEntry.objects.filter(platform_id=chained, seq__gt=last).order_by("seq")[:2000])
            if not batch:
                break
            read += len(batch)
            last = batch[-1].seq
        reading = time.perf_counter() - started

        started = time.perf_counter()
        verdict = caselog.verify(chained)
        verifying = time.perf_counter() - started
        assert verdict.ok and verdict.rows == rows, verdict.problems

    # One edit, made the way someone who dropped the trigger would (then the trigger is restored).
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_caselogentry DISABLE TRIGGER cases_caselogentry_append_only")
        else:
            cursor.execute("DROP TRIGGER cases_caselogentry_no_update")
        cursor.execute(
            "UPDATE cases_caselogentry SET path = '/edited/' WHERE platform_id = %s AND seq = %s", [chained, rows // 2]
        )
        tampered = caselog.verify(chained)
        transaction.set_rollback(True)
    assert not tampered.ok

    print(f"database: {connection.vendor}, rows: {rows}")
    print("| step | seconds | per row |")
    print("| --- | ---: | ---: |")
    for label, seconds in (
        ("baseline: unchained insert, one transaction each", unchained),
        ("chained append (`caselog.append`), one transaction each", appended),
        ("baseline: read the rows back in chunks of 2,000", reading),
        ("`caselog.verify` (read + recompute every hash)", verifying),
    ):
        print(f"| {label} | {seconds:.2f} | {seconds / rows * 1000:.2f} ms |")
    print(f"edited row found: {tampered.problems[0]}")


if __name__ == "__main__":
    main()
