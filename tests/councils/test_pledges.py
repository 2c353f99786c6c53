"""The confidentiality pledge (誓約): no case data before it, renewed yearly, ended by leaving."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tsunagari.accounts.models import Membership
from tsunagari.audit.models import AuditEvent
from tsunagari.councils import actions
from tsunagari.councils.models import Pledge
from tsunagari.councils.pledges import has_valid_pledge
from tsunagari.tenancy.scoping import scope, scopes_disabled

pytestmark = pytest.mark.django_db

CASES = "/kamakura/workspace/cases/"


def case_urls(rows: dict[str, Any]) -> list[str]:
    return [f"{CASES}persons/{rows['person'].pk}/", f"{CASES}referrals/{rows['referral'].pk}/"]


def unsign(user: Any) -> None:
    with scopes_disabled():
        Pledge.objects.filter(user=user).delete()


def test_a_member_without_a_pledge_is_sent_to_sign_it_and_sees_no_case(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    unsign(olga)
    client.force_login(olga)
    response = client.get(CASES)
    assert response.status_code == 302 and response["Location"] == "/kamakura/workspace/pledge/"
    for url in case_urls(case_rows):
        assert client.get(url).status_code == 404, url
    assert client.post(case_urls(case_rows)[1] + "move/", {"to": "cancelled"}).status_code == 404


def test_signing_the_pledge_opens_the_cases_and_is_recorded(
    client: Client, olga: Any, kamakura_council: Any, case_rows: dict[str, Any]
) -> None:
    unsign(olga)
    client.force_login(olga)
    page = client.get("/kamakura/workspace/pledge/").content.decode()
    assert "鎌倉市つなぎ連絡会" in page, page[page.find("<main") :]
    assert "個人情報の保護に関する法律" in page
    url = f"/kamakura/workspace/pledge/{case_rows['group'].pk}/sign/"
    # Without ticking the box nothing is signed.
    client.post(url, {"organization": str(kamakura_council.pk)})
    assert client.get(CASES).status_code == 302
    assert client.post(url, {"organization": str(kamakura_council.pk), "agree": "yes"}).status_code == 302
    assert client.get(case_urls(case_rows)[0]).status_code == 200
    with scopes_disabled():
        pledge = Pledge.objects.get(user=olga)
        event = AuditEvent.objects.filter(action="councils.pledge.signed", actor=olga).latest("pk")
    assert pledge.expires_at - pledge.signed_at == datetime.timedelta(days=365)
    assert "秘密" in pledge.text or "confidential" in pledge.text
    assert event.object_id == str(pledge.pk)


def test_the_pledge_expires_after_a_year(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    assert client.get(case_urls(case_rows)[0]).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=366)):
        client.force_login(olga)  # the session would have timed out; a fresh sign-in a year on
        for url in case_urls(case_rows):
            assert client.get(url).status_code == 404, url
        assert client.get(CASES)["Location"] == "/kamakura/workspace/pledge/"


def test_leaving_the_council_ends_access_at_once(
    client: Client, olga: Any, kamakura_council: Any, alice: Any, case_rows: dict[str, Any]
) -> None:
    client.force_login(olga)
    assert client.get(case_urls(case_rows)[0]).status_code == 200
    with scopes_disabled():  # every council the organisation sits on
        seats = [case_rows[name].members.get(organization=kamakura_council) for name in ("group", "support")]
    for seat in seats:
        actions.remove_member(seat, actor=alice)
    for url in case_urls(case_rows):
        assert client.get(url).status_code == 404, url
    # The organisation joining again does not revive the old pledge's organisation seat… it does:
    # the pledge is the person's, still within its year; what ended access was the seat.
    actions.add_member(case_rows["group"], kamakura_council, actor=alice)
    assert client.get(case_urls(case_rows)[0]).status_code == 200


def test_leaving_the_organisation_ends_access_at_once(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    assert client.get(case_urls(case_rows)[0]).status_code == 200
    Membership.objects.filter(user=olga).delete()
    for url in [CASES, *case_urls(case_rows), "/kamakura/workspace/pledge/"]:
        assert client.get(url).status_code == 404, url


def test_a_pledge_through_another_organisation_does_not_count(
    olga: Any, kamakura: Any, case_rows: dict[str, Any]
) -> None:
    """Olga's pledge names her 社協; moved to another organisation, she must sign again."""
    with scopes_disabled():
        membership = Membership.objects.get(user=olga)
        membership.organization = case_rows["other"]
        membership.save()
    with scope(platform=[kamakura.pk]):
        assert not has_valid_pledge(olga, kamakura)


def test_a_pledge_on_another_platform_does_not_count(
    olga: Any, kamakura: Any, tottori: Any, case_rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        Pledge.objects.filter(user=olga).update(platform=tottori)
    with scope(platform=[kamakura.pk]):
        assert not has_valid_pledge(olga, kamakura)


def test_one_cannot_sign_for_a_council_one_does_not_sit_on(
    client: Client, olga: Any, kamakura_council: Any, council_rows: dict[str, Any], case_rows: dict[str, Any]
) -> None:
    """The support council seats only the NPO: Olga's 社協 is not on it (404, nothing signed)."""
    client.force_login(olga)
    url = f"/kamakura/workspace/pledge/{council_rows['support'].pk}/sign/"
    assert client.post(url, {"organization": str(kamakura_council.pk), "agree": "yes"}).status_code == 404
    assert client.post(url, {"organization": "", "agree": "yes"}).status_code == 404
    with scopes_disabled():
        assert not Pledge.objects.filter(user=olga, council=council_rows["support"]).exists()


def test_cases_fail_closed_without_the_councils_check(olga: Any, kamakura: Any, case_rows: dict[str, Any]) -> None:
    """Cases cannot import councils (layering): it is handed the check, and with none it lets no one in."""
    from tsunagari.cases import access

    saved = list(access._pledge_checks)
    access._pledge_checks.clear()
    try:
        with scope(platform=[kamakura.pk]):
            assert not access.has_valid_pledge(olga, kamakura)
    finally:
        access._pledge_checks.extend(saved)
    with scope(platform=[kamakura.pk]):
        assert access.has_valid_pledge(olga, kamakura)
