"""Shared fixtures: the real areas, two platforms and their people (Alice, Bob, and an outsider)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tsunagari.tenancy.scoping import scopes_disabled

SHARED = Path(settings.BASE_DIR).parent / "shared"
KURASHI = SHARED / "data" / "kurashi-navi"
HSDS = SHARED / "data" / "hsds-3.0"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Whole-page caching would let one test see another's page; tests/portal/test_pagecache.py turns it on.
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the 47 prefectures and 1,741 municipalities once per test database."""
    from tsunagari.tenancy.loading import load_areas
    from tsunagari.tenancy.models import Municipality

    with django_db_blocker.unblock():
        if Municipality.objects.count() < 1741:
            load_areas(KURASHI)


@pytest.fixture
def areas(db: None) -> None:
    """The real areas; transactional tests (browser tests) truncate tables, so reload when gone."""
    from tsunagari.tenancy.loading import load_areas
    from tsunagari.tenancy.models import Municipality

    if not Municipality.objects.filter(code="142042").exists():
        load_areas(KURASHI)


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
