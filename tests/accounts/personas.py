"""The people of the workspace tests, besides Alice (Kamakura's coordinator) and Charlie (Tottori's).

Kamakura has Olga (administrator of a member organisation), Sam (that organisation's staff) and
Oscar (an observer from the prefecture); Root is the superuser. Imported by the conftest files of
tests/accounts, tests/audit and tests/workspace.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user, with_totp
from tsunagari.accounts.models import Membership, Role
from tsunagari.tenancy.scoping import scopes_disabled

PASSWORD = "correct horse battery staple"


@pytest.fixture
def kamakura_council(kamakura: Any) -> Any:
    """A member organisation of the Kamakura platform."""
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        return Organization.objects.create(platform=kamakura, name="鎌倉市社会福祉協議会")


@pytest.fixture
def olga(kamakura: Any, kamakura_council: Any) -> Any:
    """Administrator of a Kamakura member organisation (needs two-factor authentication)."""
    user = make_user("olga")
    Membership.objects.create(user=user, platform=kamakura, role=Role.ORG_ADMIN, organization=kamakura_council)
    return with_totp(user)


@pytest.fixture
def sam(kamakura: Any, kamakura_council: Any) -> Any:
    """Staff of a Kamakura member organisation (no second factor required)."""
    user = make_user("sam")
    Membership.objects.create(user=user, platform=kamakura, role=Role.ORG_STAFF, organization=kamakura_council)
    return user


@pytest.fixture
def oscar(kamakura: Any) -> Any:
    """Prefecture staff observing the Kamakura platform: reads, never writes."""
    user = make_user("oscar")
    Membership.objects.create(user=user, platform=kamakura, role=Role.OBSERVER)
    return user


@pytest.fixture
def root(areas: None) -> Any:
    from tsunagari.accounts.models import User

    user = User.objects.create_superuser("root", "root@example.jp", PASSWORD)
    return with_totp(user)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """allauth remembers used TOTP codes and rate limits in the cache; tests must not share them."""
    from django.core.cache import cache

    cache.clear()


def totp_code(user: Any) -> str:
    """The code the person's authenticator app shows now, computed from the stored secret."""
    from tsunagari.accounts.mfa import current_code

    code = current_code(user)
    assert code is not None
    return code


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    """POST the sign-in form as a browser would; returns the response."""
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def link_in(body: str) -> str:
    """The first path on this site mentioned in an e-mail body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)
