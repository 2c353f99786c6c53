"""The councils register: coordinators keep it; the portal lists what the law asks to be public."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tsunagari.audit.models import AuditEvent
from tsunagari.councils.models import Basis, Council, CouncilMember, Supporter
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_a_coordinator_registers_a_council_with_its_members(
    client: Client, alice: Any, kamakura_council: Any, council_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    response = client.post(
        "/kamakura/workspace/councils/new/",
        {
            "name": "鎌倉市重層的支援会議",
            "basis": Basis.MULTI_LAYERED,
            "coordinating_body": kamakura_council.pk,
            "announced_on": "",
            "announcement": "",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        council = Council.objects.get(name="鎌倉市重層的支援会議")
    assert council.platform.slug == "kamakura" and council.coordinating_body == kamakura_council
    client.post(f"/kamakura/workspace/councils/{council.pk}/members/", {"organization": council_rows["npo"].pk})
    with scopes_disabled():
        assert CouncilMember.objects.filter(council=council, organization=council_rows["npo"]).exists()
        assert AuditEvent.objects.filter(action="councils.member.added", object_id=str(council.pk)).exists()
    # An organisation that is not an approved member of the platform cannot be chosen.
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        stranger = Organization.objects.create(platform=council.platform, name="未加入の団体")
    client.post(f"/kamakura/workspace/councils/{council.pk}/members/", {"organization": stranger.pk})
    with scopes_disabled():
        assert not CouncilMember.objects.filter(organization=stranger).exists()


def test_another_platforms_organisation_cannot_join(
    client: Client, alice: Any, tottori: Any, council_rows: dict[str, Any]
) -> None:
    from tests.councils.rows import approve
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        theirs = Organization.objects.create(platform=tottori, name="鳥取の社協")
        approve(tottori, theirs)
    client.force_login(alice)
    client.post(f"/kamakura/workspace/councils/{council_rows['regional'].pk}/members/", {"organization": theirs.pk})
    with scopes_disabled():
        assert not CouncilMember.objects.filter(organization=theirs).exists()


def test_the_portal_lists_announced_regional_councils_only(client: Client, council_rows: dict[str, Any]) -> None:
    body = client.get("/kamakura/councils/").content.decode()
    assert "鎌倉市孤独・孤立対策地域協議会" in body and "<li>鎌倉市社会福祉協議会</li>" in body
    assert "公示します" in body
    # The support council and its member are not public.
    assert "鎌倉市支援会議" not in body and "かまくら居場所の会" not in body


def test_an_unannounced_or_future_regional_council_is_not_listed(client: Client, council_rows: dict[str, Any]) -> None:
    with scopes_disabled():
        Council.objects.filter(pk=council_rows["regional"].pk).update(
            announced_on=datetime.date.today() + datetime.timedelta(days=3)
        )
    assert "鎌倉市孤独・孤立対策地域協議会" not in client.get("/kamakura/councils/").content.decode()


def test_a_member_that_left_is_not_listed(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    client.force_login(alice)
    seat = council_rows["seat"]
    client.post(f"/kamakura/workspace/councils/{seat.council_id}/members/{seat.pk}/remove/")
    client.logout()
    assert "<li>鎌倉市社会福祉協議会</li>" not in client.get("/kamakura/councils/").content.decode()


def test_another_platform_shows_none_of_kamakuras_councils(
    client: Client, tottori: Any, council_rows: dict[str, Any]
) -> None:
    assert "鎌倉市" not in client.get(f"/{tottori.slug}/councils/").content.decode()


def test_registering_a_new_supporter_sends_a_link_to_set_a_password(
    client: Client, alice: Any, council_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kamakura/workspace/supporters/",
            {"display_name": "山田 花", "email": "hana@example.jp", "kind": "tsunagari_supporter"},
        )
    assert response.status_code == 302
    with scopes_disabled():
        supporter = Supporter.objects.get(user__email="hana@example.jp")
    assert not supporter.user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hana@example.jp"]


def test_partner_staff_need_their_business(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    client.force_login(alice)
    response = client.post(
        "/kamakura/workspace/supporters/",
        {"display_name": "配達員", "email": "paper@example.jp", "kind": "partner_staff"},
    )
    assert response.status_code == 400
    assert "この方が勤める協力事業者を選んでください。" in response.content.decode()
