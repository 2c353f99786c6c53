"""Who sees person data (issue 11 items 3, 4, 11): holders only, with two-factor, never cached."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import with_totp
from tsunagari.accounts.models import Membership
from tsunagari.audit.models import AuditEvent
from tsunagari.cases.models import Consent, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def urls(rows: dict[str, Any]) -> list[str]:
    base = "/kamakura/workspace/cases/"
    return [base, f"{base}persons/{rows['person'].pk}/", f"{base}referrals/{rows['referral'].pk}/"]


def test_the_holding_organisation_sees_the_person(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    for url in urls(case_rows):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "鎌倉 花子" in response.content.decode()


@pytest.mark.parametrize("who", ["another_organisation", "coordinator", "observer", "superuser", "other_platform"])
def test_outsiders_get_404(request: pytest.FixtureRequest, client: Client, who: str, case_rows: dict[str, Any]) -> None:
    user = {
        "another_organisation": lambda: case_rows["dora"],
        "coordinator": lambda: request.getfixturevalue("alice"),
        "observer": lambda: with_totp(request.getfixturevalue("oscar")),
        "superuser": lambda: request.getfixturevalue("root"),
        "other_platform": lambda: request.getfixturevalue("charlie"),
    }[who]()
    client.force_login(user)
    # Another organisation of the platform has a (for it, empty) case list; the others none at all.
    for url in urls(case_rows)[1 if who == "another_organisation" else 0 :]:
        assert client.get(url).status_code == 404, url
    response = client.post(urls(case_rows)[2] + "move/", {"to": Status.CANCELLED})
    assert response.status_code == 404
    with scopes_disabled():
        case_rows["referral"].refresh_from_db()
    assert case_rows["referral"].status == Status.REQUESTED


def test_another_organisation_sees_an_empty_list(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["dora"])
    body = client.get("/kamakura/workspace/cases/").content.decode()
    assert "鎌倉 花子" not in body and "見守り" not in body


def test_a_former_member_loses_access_at_once(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    assert client.get(urls(case_rows)[1]).status_code == 200
    Membership.objects.filter(user=olga).delete()
    for url in urls(case_rows):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("end", ["withdrawn", "expired"])
def test_without_an_active_consent_the_person_is_hidden(
    client: Client, olga: Any, case_rows: dict[str, Any], end: str
) -> None:
    with scopes_disabled():
        case_rows["referral"].status = Status.COMPLETED
        case_rows["referral"].save()
        consent = Consent.objects.get(person=case_rows["person"])
        if end == "withdrawn":
            consent.withdrawn_at = timezone.now()
        else:
            consent.expires_on = date.today() - timedelta(days=1)
        consent.save()
    client.force_login(olga)
    assert client.get(urls(case_rows)[1]).status_code == 404


def test_the_sender_holds_the_person_through_an_active_referral(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        Consent.objects.filter(person=case_rows["person"]).update(withdrawn_at=timezone.now())
    client.force_login(olga)
    assert client.get(urls(case_rows)[1]).status_code == 200


def test_two_factor_is_required(client: Client, sam: Any, case_rows: dict[str, Any]) -> None:
    """Sam works for the holding organisation but has no second factor: sent to set one up first."""
    client.force_login(sam)
    for url in urls(case_rows):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate")
    with_totp(sam)
    assert client.get(urls(case_rows)[1]).status_code == 200


def test_case_pages_are_never_stored(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    for url in urls(case_rows):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_viewing_a_person_is_recorded(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    client.get(urls(case_rows)[1])
    with scopes_disabled():
        event = AuditEvent.objects.get(action="cases.person.viewed")
    assert event.actor == olga and event.object_id == str(case_rows["person"].pk)
    assert "花子" not in (event.object_repr or "")


def test_a_consent_is_active_through_its_last_day(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    """Boundary left open by the mutation run (bench/results/mutation.md): expires_on is the last valid day."""
    with scopes_disabled():
        case_rows["referral"].status = Status.COMPLETED
        case_rows["referral"].save()
        Consent.objects.filter(person=case_rows["person"]).update(expires_on=timezone.localdate())
    client.force_login(olga)
    assert client.get(urls(case_rows)[1]).status_code == 200
