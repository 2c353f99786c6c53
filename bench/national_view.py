"""The national view over 1,741 platforms with a year of synthetic activity each, and one platform's report.

    .venv/bin/python bench/national_view.py [--db sqlite|postgres] [--platforms 1741] [--runs 5]
        [--pg-url postgres://postgres@127.0.0.1:5432/h_reporting] [--keep DIR]

Builds a fresh database in a temporary DATA_DIR (SQLite), or empties and migrates the PostgreSQL
database named in --pg-url (its own, never a shared one): `migrate` (which loads the 47
prefectures and 1,741 municipalities), then one municipal platform per municipality (the first
--platforms of them), each with the synthetic year of tests/reporting/activity.py (6 meetings,
2 training sessions, 2 public events, 15 training records, 12 members, a shared know-how entry,
needs and portal use on 30 days; and the joint support of year_of_joint_support: 24 referrals, 18 of
them closed with an outcome, 15 concerns, a survey; about 300 rows a platform), and a national observer holding an
OBSERVER role on every platform, as docs/accounts.md has it.

Measured in this process with Django's test client (the whole request: middleware, access check,
counting, template), after one warm-up request, as the median of --runs:
- GET /reporting/ (the national view) as the national observer: time and number of queries;
- the same with half the platforms overseen (a second observer), to show the query count does
  not depend on the number of platforms;
- GET /reporting/prefectures/01/ (北海道, the prefecture with the most municipalities);
- the baseline: GET /<platform>/workspace/ (a workspace home) in the same run;
- one platform-year's report: building the data, HTML, PDF and Excel, each with its time and
  peak Python memory (tracemalloc).
Writes bench/results/reporting.md (one section per database; the other section is kept).
"""

from __future__ import annotations

import argparse
import os
import platform as machine
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reporting.md"
YEAR = 2025


def setup_django(db: str, pg_url: str, keep: Path | None) -> Path:
    data_dir = keep or Path(tempfile.mkdtemp(prefix="bench-reporting-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    if db == "postgres" and keep is not None:
        os.environ["DATABASE_URL"] = pg_url
    elif db == "postgres":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    # The synthetic referrals and concerns are encrypted like real ones: keys for this run only.
    from tsunagari.cases import crypto

    settings.CASES_FIELD_KEYS = settings.CASES_FIELD_KEYS or f"k1:{crypto.new_key()}"
    settings.CASES_LOOKUP_KEY = settings.CASES_LOOKUP_KEY or crypto.new_key()
    # No collectstatic in a throwaway DATA_DIR: plain static URLs, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def populate(count: int) -> tuple[Any, Any, list[Any]]:
    from django.db import transaction

    from tests.reporting.activity import year_of_activity, year_of_joint_support
    from tsunagari.accounts.models import Membership, Role, User
    from tsunagari.tenancy.models import Municipality, Platform
    from tsunagari.tenancy.scoping import scopes_disabled

    started = time.perf_counter()
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True)[:count])
    platforms = Platform.objects.bulk_create(
        Platform(slug=f"m{code}", name=f"{code} つながりプラットフォーム", kind="municipality", municipality_id=code)
        for code in codes
    )
    platforms = list(Platform.objects.filter(kind="municipality").select_related("municipality"))
    for p in platforms:  # bulk_create skips save(), which sets the prefecture
        p.prefecture_id = p.municipality.prefecture_id
    Platform.objects.bulk_update(platforms, ["prefecture_id"])
    with scopes_disabled(), transaction.atomic():
        for p in platforms:
            year_of_activity(p, YEAR)
            year_of_joint_support(p, YEAR)
    national = User.objects.create_user("national", "national@example.jp", "x")
    half = User.objects.create_user("half", "half@example.jp", "x")
    coordinator = User.objects.create_user("coordinator", "coordinator@example.jp", "x")
    Membership.objects.bulk_create(Membership(user=national, platform=p, role=Role.OBSERVER) for p in platforms)
    Membership.objects.bulk_create(
        Membership(user=half, platform=p, role=Role.OBSERVER) for p in platforms[: len(platforms) // 2]
    )
    Membership.objects.create(user=coordinator, platform=platforms[0], role=Role.COORDINATOR)
    print(f"populated {len(platforms)} platforms in {time.perf_counter() - started:.0f} s", flush=True)
    return national, half, [coordinator, platforms[0]]


def timed_get(client: Any, url: str, runs: int) -> tuple[float, int, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, len(response.content), min(times)


def measure_report(platform: Any, runs: int) -> list[tuple[str, float, float, int]]:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from tsunagari.reporting import formats, report
    from tsunagari.tenancy.scoping import platform_scope

    request = RequestFactory().get(f"/{platform.slug}/workspace/reporting/")
    request.user = AnonymousUser()
    rows = []
    with platform_scope(platform, with_national=False):
        data = report.build(platform, YEAR, suppress=False, roles=["coordinator"])
        steps = {
            "data (counting, 20 figures, 3 breakdowns)": lambda: report.build(
                platform, YEAR, suppress=False, roles=["coordinator"]
            ),
            "HTML": lambda: render_to_string(
                "reporting/report.html",
                {"data": data, "year": YEAR, "chart": [], "platform": platform, "menu": []},
                request=request,
            ),
            "PDF (fpdf2, IPAex Gothic subset)": lambda: formats.pdf(data),
            "Excel (openpyxl, 2 charts)": lambda: formats.xlsx(data),
        }
        for name, step in steps.items():
            step()
            times, peaks, size = [], [], 0
            for _ in range(runs):  # timed without tracemalloc, which slows Python code several times
                started = time.perf_counter()
                out = step()
                times.append(time.perf_counter() - started)
                size = len(out) if isinstance(out, (bytes, str)) else 0
            tracemalloc.start()
            step()
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            rows.append((name, statistics.median(times), max(peaks) / 1e6, size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--platforms", type=int, default=1741)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/h_reporting")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the database (SQLite: in this DATA_DIR; PostgreSQL: not dropped) and use it again when it is"
        " already populated, to measure again without the ~5 minutes of populating",
    )
    args = parser.parse_args()
    data_dir = setup_django(args.db, args.pg_url, args.keep)
    try:
        from django.db import connection
        from django.test import Client

        from tsunagari.accounts.models import User
        from tsunagari.tenancy.models import Platform

        if args.keep and User.objects.filter(username="national").exists():
            national, half = User.objects.get(username="national"), User.objects.get(username="half")
            first = Platform.objects.filter(kind="municipality").order_by("municipality_id").first()
            print(f"using the {Platform.objects.filter(kind='municipality').count()} platforms already there")
        else:
            national, half, (_coordinator, first) = populate(args.platforms)
        # The planner's statistics, as autovacuum keeps them on a running server (a database just
        # filled in bulk has none, and PostgreSQL then nests loops over 50,000 registrations).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(national)
        view = timed_get(client, f"/reporting/?year={YEAR}", args.runs)
        pref = timed_get(client, f"/reporting/prefectures/01/?year={YEAR}", args.runs)
        client = Client()  # a client of its own: nothing of the first person's session carried over
        client.force_login(half)
        view_half = timed_get(client, f"/reporting/?year={YEAR}", args.runs)
        client = Client()
        client.force_login(national)  # an observer: coordinators would be sent to set up two-factor first
        baseline = timed_get(client, f"/{first.slug}/workspace/", args.runs)
        report_rows = measure_report(first, args.runs)
        version = connection.cursor().connection.info.server_version if args.db == "postgres" else None
        engine = (
            f"PostgreSQL {version // 10000}.{version % 100}"
            if version
            else "SQLite " + __import__("sqlite3").sqlite_version
        )
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    lines = [
        f"## {engine}",
        "",
        f"{args.platforms} platforms, each with a year of synthetic activity; median of {args.runs} runs after a warm-up;"
        f" {machine.processor() or machine.machine()}, {os.cpu_count()} cores shared with other work"
        f" (load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| page | median | fastest | queries | bytes |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| national view, {args.platforms} platforms overseen | {view[0] * 1000:.0f} ms | {view[3] * 1000:.0f} ms | {view[1]} | {view[2]:,} |",
        f"| national view, {args.platforms // 2} platforms overseen | {view_half[0] * 1000:.0f} ms | {view_half[3] * 1000:.0f} ms | {view_half[1]} | {view_half[2]:,} |",
        f"| prefecture view, 北海道 | {pref[0] * 1000:.0f} ms | {pref[3] * 1000:.0f} ms | {pref[1]} | {pref[2]:,} |",
        f"| baseline: a workspace home page | {baseline[0] * 1000:.0f} ms | {baseline[3] * 1000:.0f} ms | {baseline[1]} | {baseline[2]:,} |",
        "",
        "One platform-year's report:",
        "",
        "| step | time | peak Python memory | bytes |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {t * 1000:.0f} ms | {peak:.1f} MB | {size:,} |" for name, t, peak, size in report_rows],
        "",
    ]
    section = "\n".join(lines)
    print(section)
    write(engine.split()[0], section, args)


def write(key: str, section: str, args: Any) -> None:
    """Replace this database's section of the results file, keeping the other's."""
    header = (
        "# Programme reporting: the national view and one report\n\n"
        "Target: the national view over 1,741 platforms renders in at most 1 s on PostgreSQL, with a number of\n"
        "queries that does not depend on the number of platforms. Reproduce with\n\n"
        "    .venv/bin/python bench/national_view.py --db postgres   # its own database, h_reporting\n"
        "    .venv/bin/python bench/national_view.py --db sqlite\n\n"
    )
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    sections = {m.group(1): m.group(0) for m in re.finditer(r"(?ms)^## (\w+).*?(?=^## |\Z)", old)}
    sections[key] = section
    RESULTS.write_text(header + "\n".join(s.rstrip() + "\n" for _k, s in sorted(sections.items())), encoding="utf-8")
    del args


if __name__ == "__main__":
    main()
