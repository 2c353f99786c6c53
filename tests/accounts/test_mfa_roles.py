"""Every role that changes what residents see or who may do what must use two factors — without staff rights.

The expectation is written out here, not read from MFA_REQUIRED_ROLES: dropping a role from the
setting fails `test_each_role_that_must_use_two_factors_is_sent_to_set_it_up`. None of these
people is `is_staff`, which on its own also demands a second factor.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from tests.accounts.personas import sign_in
from tests.conftest import make_user, with_totp
from tsunagari.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db

MUST_USE_TWO_FACTORS = {Role.COORDINATOR: True, Role.ORG_ADMIN: True, Role.ORG_STAFF: False, Role.OBSERVER: False}


def person_with(role: str, kamakura: Any, council: Any) -> Any:
    user = make_user(f"person-{role}")
    assert not user.is_staff and not user.is_superuser
    organization = council if role in {Role.ORG_ADMIN, Role.ORG_STAFF} else None
    Membership.objects.create(user=user, platform=kamakura, role=role, organization=organization)
    return user


def test_every_role_is_decided_here() -> None:
    assert set(MUST_USE_TWO_FACTORS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_that_must_use_two_factors_is_sent_to_set_it_up(
    client: Client, role: str, kamakura: Any, kamakura_council: Any
) -> None:
    person_with(role, kamakura, kamakura_council)
    assert sign_in(client, f"person-{role}@example.jp").status_code == 302
    response = client.get("/kamakura/workspace/")
    if MUST_USE_TWO_FACTORS[role]:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", [role for role, must in MUST_USE_TWO_FACTORS.items() if must])
def test_each_such_role_cannot_remove_its_authenticator(
    client: Client, role: str, kamakura: Any, kamakura_council: Any
) -> None:
    user = with_totp(person_with(role, kamakura, kamakura_council))
    client.force_login(user)
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
