"""Shared fixtures: the real areas, two platforms and their people (Alice, Bob, and an outsider).

The public data sets (くらし支援ナビ, HSDS 3.0, …) are never in the repository: tests that need
them read settings.DATASETS_DIR (`../shared/data` on the project's machines, where
`python -m tsunagari get-datasets` puts them elsewhere) through `shared_data()`, which skips when
they are absent. REQUIRE_SHARED_DATA=1 (as `.ci/run` sets) turns those skips into failures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches

from tsunagari.reporting import middleware as usage_counts
from tsunagari.tenancy.scoping import scopes_disabled

DATASETS = Path(settings.DATASETS_DIR)
KURASHI = DATASETS / "kurashi-navi"
HSDS = DATASETS / "hsds-3.0"
SHARED = Path(settings.BASE_DIR).parent / "shared"  # the project's own machines: finder development cases
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REQUIRE_SHARED_DATA = os.environ.get("REQUIRE_SHARED_DATA", "") == "1"
# The default cache settings.py installs when REDIS_URL is not set.
DATABASE_CACHE = {"BACKEND": "tsunagari.cache.DatabaseCache", "LOCATION": "tsunagari_cache"}


def shared_data(path: Path) -> Path:
    """`path` when it exists; else skip (or fail, with REQUIRE_SHARED_DATA=1) saying what is missing."""
    if path.exists():
        return path
    reason = (
        f"needs the shared data file {path}, which is not here "
        "(run `python -m tsunagari get-datasets`, or set DATASETS_DIR)"
    )
    if REQUIRE_SHARED_DATA:
        pytest.fail(f"REQUIRE_SHARED_DATA=1: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Whole-page caching would let one test see another's page; tests/portal/test_pagecache.py turns it on.
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    # Portal use is written only when a test flushes it: a flush falling due in the middle of a
    # request added its queries to tests that count them (seen once on PostgreSQL in random order).
    settings.USAGE_FLUSH_SECONDS = 10**9
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The installed default keeps the shared cache in a database table (tsunagari.cache); most tests
    # count the directory's queries, so they get a memory cache. The shared cache has its own tests
    # (the `database_cache` fixture, tests/test_shared_cache.py, tests/browser/test_two_processes.py).
    settings.CACHES = {**settings.CACHES, "default": TEST_CACHE}
    caches["default"].clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _usage_counts_dropped() -> Iterator[None]:
    """Portal use counted during a test belongs to that test's database: drop it after the test, or
    the flush at exit writes into a test database already destroyed (tests/reporting flush on purpose)."""
    yield
    usage_counts._pending.clear()


TEST_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}


@pytest.fixture
def database_cache(settings: Any, db: None) -> None:
    """The default cache as installed without Redis: a table in the database, shared by every process."""
    settings.CACHES = {**settings.CACHES, "default": DATABASE_CACHE}
    # With REDIS_URL set (CI's PostgreSQL run) migrate made no cache table: make it, as migrate would.
    from tsunagari.cache import create_cache_tables

    create_cache_tables()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The 47 prefectures and 1,741 municipalities: `migrate` loads them (tenancy migration 0003)."""
    from tsunagari.tenancy.models import Municipality
    from tsunagari.tenancy.reference import load_reference_areas

    with django_db_blocker.unblock():
        if Municipality.objects.count() < 1741:  # a test database made without migrations
            load_reference_areas()


@pytest.fixture
def areas(db: None) -> None:
    """The real areas; transactional tests (browser tests) truncate tables, so reload when gone."""
    from tsunagari.tenancy.models import Municipality
    from tsunagari.tenancy.reference import load_reference_areas

    if not Municipality.objects.filter(code="142042").exists():
        load_reference_areas()


@pytest.fixture
def unscoped() -> Iterator[None]:
    """For test set-up only: read and write across platforms."""
    with scopes_disabled():
        yield


@pytest.fixture
def national(areas: None) -> Any:
    from tsunagari.tenancy.models import national_platform

    return national_platform()


@pytest.fixture
def kamakura(areas: None) -> Any:
    from tsunagari.tenancy.models import Platform

    return Platform.objects.create(
        slug="kamakura", name="鎌倉市つながりプラットフォーム", kind="municipality", municipality_id="142042"
    )


@pytest.fixture
def tottori(areas: None) -> Any:
    from tsunagari.tenancy.models import Platform

    return Platform.objects.create(
        slug="tottori-pref", name="鳥取県孤独・孤立対策官民連携プラットフォーム", kind="prefecture", prefecture_id="31"
    )


def make_user(username: str) -> Any:
    from tsunagari.accounts.models import User

    return User.objects.create_user(username, f"{username}@example.jp", "correct horse battery staple")


def with_totp(user: Any) -> Any:
    """Coordinators and staff must have two-factor authentication before staff pages and the admin."""
    from tsunagari.accounts.mfa import demo_secret, set_up_totp

    set_up_totp(user, demo_secret(user.username))
    return user


@pytest.fixture
def alice(kamakura: Any) -> Any:
    """Coordinator of the Kamakura platform."""
    from tsunagari.accounts.models import Membership, Role

    user = make_user("alice")
    user.is_staff = True
    user.save()
    Membership.objects.create(user=user, platform=kamakura, role=Role.COORDINATOR)
    return with_totp(user)


@pytest.fixture
def charlie(tottori: Any) -> Any:
    """Coordinator of the Tottori platform: an outsider to Kamakura."""
    from tsunagari.accounts.models import Membership, Role

    user = make_user("charlie")
    user.is_staff = True
    user.save()
    Membership.objects.create(user=user, platform=tottori, role=Role.COORDINATOR)
    return with_totp(user)


@pytest.fixture(autouse=True)
def _case_log_emptied_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush of every table, which the case log's append-only triggers
    refuse (tsunagari/cases migration 0005): empty it first, with its triggers lifted for that moment.

    The database fixture is requested from here so that it is torn down (flushed) after this one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseloghead")
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases_caselogentry'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute("DELETE FROM cases_caselogentry")
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            cursor.execute("ALTER TABLE cases_caselogentry DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM cases_caselogentry")
            cursor.execute("ALTER TABLE cases_caselogentry ENABLE TRIGGER USER")
